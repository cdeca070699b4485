# cloudlink as a production service: Node.js 22 LTS, the built bundle, no dev dependencies.
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:22-bookworm-slim
ENV NODE_ENV=production \
    CLOUDLINK_HTTP_HOST=0.0.0.0 \
    CLOUDLINK_HTTP_PORT=8737
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/manifests ./manifests
COPY --from=build /app/migrations ./migrations
USER node
EXPOSE 3000 8737 8765
HEALTHCHECK --interval=10s --timeout=3s CMD node -e "fetch('http://127.0.0.1:8737/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# SIGTERM (docker stop, a rolling deploy) drains in-flight requests and releases the leader lock.
STOPSIGNAL SIGTERM
CMD ["node", "dist/bundle/cli.mjs", "serve"]
