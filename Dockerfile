# syntax=docker/dockerfile:1
# The operator image: Node 24 runs the TypeScript sources directly (type stripping), so there is
# no compile step; the image holds the sources and production dependencies only.
#
#   docker build -t sidecarset:0.1.0 .
#
# Pin NODE_IMAGE by digest (node:24-slim@sha256:...) for reproducible builds.
ARG NODE_IMAGE=node:24-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# --omit=dev: production dependencies only (this also skips the `node` devDependency, which only
# provides a local Node 24 binary for development). --ignore-scripts: no production dependency
# needs an install script, so none gets to run at build time.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force

FROM ${NODE_IMAGE}
# npm, npx and corepack are not needed at run time: drop them (less to patch, less to exploit).
RUN rm -rf /usr/local/lib/node_modules /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
# package.json carries "type": "module", which the sources need.
COPY package.json ./
COPY src ./src
COPY webhooks ./webhooks
COPY controllers ./controllers
COPY certs ./certs
# Files stay root-owned and read-only for the process; the chart also mounts the root filesystem
# read-only and gives the operator an emptyDir at /tmp (its certificate directory in self mode).
# A numeric UID lets Kubernetes verify runAsNonRoot without an /etc/passwd entry.
USER 65532:65532
# 9443: webhook HTTPS (--port); 8080: /metrics, /healthz, /readyz (--metrics-port).
EXPOSE 9443 8080
ENTRYPOINT ["node", "src/cli/main.ts"]
CMD ["serve"]
