import { Router } from 'express';
import { buildOpenApiDocument, type DocumentAudience } from '../openapi/document';
import { renderDocsPage } from '../openapi/docs-page';

/**
 * GET /openapi.json (the OpenAPI 3.1 document of this listener) and GET /docs (the same as one self-contained HTML
 * page): the merchant listener serves the merchant document, the admin listener the internal one.
 */
export function docsRoutes(audience: DocumentAudience, opts: { sandbox?: boolean } = {}): Router {
  const doc = buildOpenApiDocument(audience, opts);
  const page = renderDocsPage(doc);
  const router = Router();
  router.get('/openapi.json', (_req, res) => void res.json(doc));
  router.get('/docs', (_req, res) => {
    res.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
    res.type('html').send(page);
  });
  return router;
}
