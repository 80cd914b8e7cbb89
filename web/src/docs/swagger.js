// Starts Swagger UI on /docs (SwaggerUIBundle comes from the pinned swagger-ui-dist bundle the
// page loads first). A file, not FastAPI's inline <script>: the node's CSP allows no inline
// script. The options are FastAPI's defaults, without the online validator badge (an image
// from validator.swagger.io, which the CSP refuses and which would leak the spec's URL).
const root = document.getElementById('swagger-ui');

window.ui = globalThis.SwaggerUIBundle({
  url: root.dataset.url,
  domNode: root,
  layout: 'BaseLayout',
  deepLinking: true,
  showExtensions: true,
  showCommonExtensions: true,
  validatorUrl: null,
  presets: [globalThis.SwaggerUIBundle.presets.apis, globalThis.SwaggerUIBundle.SwaggerUIStandalonePreset],
});
