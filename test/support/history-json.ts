import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type * as Proto from '@temporalio/proto';
import type * as PatchRoot from '@temporalio/proto/lib/patch-protobuf-root';

export type History = Proto.temporal.api.history.v1.IHistory;

/**
 * Workflow histories to and from ProtoJSON (the format of `temporal workflow show --output json`), as
 * `historyToJSON` / `historyFromJSON` of @temporalio/common/lib/proto-utils do — with protobufjs's ProtoJSON taken
 * from the copy that @temporalio/proto's types were built with. The SDK's own helpers take it from @temporalio/common's
 * copy, and with several copies installed (protobufjs 7 at the top for @grpc/proto-loader, one copy of 8 under each of
 * @temporalio/common, /proto and /worker) they fail with "type must be a Type": ProtoJSON's `instanceof Type` meets a
 * type of another copy. The modules are required (not imported) so that vitest's module transform hands over the same
 * CommonJS objects that the SDK uses.
 */
interface ProtoJson {
  toJson(type: unknown, message: unknown): unknown;
  fromJson(type: unknown, json: unknown, options: { ignoreUnknownFields: boolean }): unknown;
}
const load = createRequire(__filename);
const proto = load('@temporalio/proto') as typeof Proto;
const { patchProtobufRoot } = load('@temporalio/proto/lib/patch-protobuf-root') as typeof PatchRoot;
const protojson = load(load.resolve('protobufjs/ext/protojson', { paths: [dirname(load.resolve('@temporalio/proto'))] })) as ProtoJson;
const HistoryMessage = proto.temporal.api.history.v1.History;
const historyType: unknown = (patchProtobufRoot(proto) as unknown as { lookupType(name: string): unknown }).lookupType('temporal.api.history.v1.History');

export function historyToJSON(history: History): string {
  return `${JSON.stringify(protojson.toJson(historyType, HistoryMessage.fromObject(history)), null, 2)}\n`;
}

export function historyFromJSON(json: unknown): History {
  return protojson.fromJson(historyType, json, { ignoreUnknownFields: true }) as History;
}
