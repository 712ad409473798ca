FROM node:20-alpine AS build
WORKDIR /app
COPY . .
FROM node:20-alpine AS runtime
COPY --from=build /app /app
CMD ["node", "/app/worker.js"]
