# Builds the ucm binary and the web app, then runs them from a small image.
FROM rust:1.95-bookworm AS build
WORKDIR /src
RUN rustup target add wasm32-unknown-unknown
COPY . .
RUN bash scripts/build-frontend.sh \
 && cargo build --release -p ucm-server --bin ucm \
 && cp "${CARGO_TARGET_DIR:-/var/cache/ucm/target}/release/ucm" /usr/local/bin/ucm

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates && rm -rf /var/lib/apt/lists/*
COPY --from=build /usr/local/bin/ucm /usr/local/bin/ucm
COPY --from=build /src/frontend/dist /srv/ucm/web
ENV UCM_WEB_DIR=/srv/ucm/web UCM_DATA_DIR=/var/lib/ucm UCM_BIND=0.0.0.0:8080
VOLUME /var/lib/ucm
EXPOSE 8080
CMD ["ucm", "serve"]
