# kaniko2buildkit as a CI job image: the command on PATH, ts-morph included (generator sources), user node, and no
# ENTRYPOINT, so that GitLab runs a job's script: in it as it runs it in any shell image.
#
#   docker build -t kaniko2buildkit .        (the project's .gitlab-ci.yml builds it with rootless BuildKit)
#   docker run --rm -v "$PWD:/repo" -w /repo kaniko2buildkit kaniko2buildkit migrate --dry-run .
#
# Stage 1 packs the package as a release is packed (npm pack: its prepack builds dist/) and installs that tarball
# with the dependency versions of package-lock.json (scripts/install-lock.mjs); stage 2 is node:20-alpine with the
# installed folder and nothing of the build. No git in the image: `migrate --recursive` then reads a template
# project's checkout as it is on disk (its ref shows as `working tree`), not at the ref an include names.

FROM node:20-alpine AS pack
WORKDIR /src
COPY package.json package-lock.json ./
# the build needs the dev dependencies (tsc, types); none of their install scripts
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json README.md LICENSE ./
COPY bin bin
COPY src src
COPY scripts/install-lock.mjs scripts/bundle.mjs scripts/
RUN npm pack --pack-destination /tmp \
  && node scripts/install-lock.mjs /tmp/kaniko2buildkit-*.tgz /opt/kaniko2buildkit --with-ts-morph \
  && cd /opt/kaniko2buildkit \
  && npm ci --omit=dev --no-audit --no-fund \
  && rm kaniko2buildkit-*.tgz

FROM node:20-alpine
COPY --from=pack /opt/kaniko2buildkit /opt/kaniko2buildkit
ENV PATH=/opt/kaniko2buildkit/node_modules/.bin:$PATH
USER node
# node's image starts docker-entrypoint.sh; none here (a job's script: is what runs)
ENTRYPOINT []
CMD ["kaniko2buildkit", "--help"]
