import type { HttpMethod } from './operations';

/** The JSON Schema (2020-12) subset the generator and the docs page work with. */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  default?: unknown;
  description?: string;
  $ref?: string;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  additionalProperties?: boolean | JsonSchema;
  $defs?: Record<string, JsonSchema>;
  [keyword: string]: unknown;
}

export interface MediaTypeObject {
  schema: JsonSchema;
}

export interface ResponseObject {
  description: string;
  content?: Record<string, MediaTypeObject>;
  /** The error codes answered with this HTTP status. */
  'x-codes'?: { code: string; meaning: string }[];
}

export interface ParameterObject {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  description?: string;
  schema: JsonSchema;
}

export interface OperationObject {
  operationId?: string;
  tags: string[];
  summary: string;
  description?: string;
  parameters?: ParameterObject[];
  requestBody?: { required: boolean; content: Record<string, MediaTypeObject> };
  responses: Record<string, ResponseObject>;
  callbacks?: Record<string, Record<string, PathItemObject>>;
  security?: Record<string, string[]>[];
}

export type PathItemObject = Partial<Record<HttpMethod, OperationObject>>;

export interface RespCodeRow {
  code: string;
  httpStatus: number;
  desc: string;
  meaning: string;
}

export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description: string };
  tags: { name: string; description: string }[];
  paths: Record<string, PathItemObject>;
  webhooks: Record<string, PathItemObject>;
  components: { schemas: Record<string, JsonSchema>; securitySchemes?: Record<string, Record<string, string>> };
  /** The merchant API's respCode table (domain/resp-codes.ts); only in the merchant listener's document. */
  'x-resp-codes'?: RespCodeRow[];
}
