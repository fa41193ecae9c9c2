import { Router } from 'express';
import { buildOpenApiDocument } from '../openapi/document';
import { renderDocsPage } from '../openapi/docs-page';

/** GET /openapi.json (the OpenAPI 3.1 document) and GET /docs (the same as one self-contained HTML page). */
export function docsRoutes(): Router {
  const doc = buildOpenApiDocument();
  const page = renderDocsPage(doc);
  const router = Router();
  router.get('/openapi.json', (_req, res) => void res.json(doc));
  router.get('/docs', (_req, res) => {
    res.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
    res.type('html').send(page);
  });
  return router;
}
