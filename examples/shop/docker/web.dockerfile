FROM node:20-alpine
ARG APP_NAME
ARG NODE_ENV=production
WORKDIR /app
COPY . .
CMD ["node", "server.js"]
