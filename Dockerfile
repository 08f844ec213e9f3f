# Tripline: multi-stage image. Build with the Swift toolchain, run on a slim Debian with only the
# binary, the themes and a non-root user.
#   docker build -t tripline:0.2.0 .
#   docker run --rm -v models:/var/lib/tripline/models -v /var/log:/var/log/tripline:ro tripline:0.2.0 train /var/log/tripline
#   docker run -p 8000:8000 -e TRIPLINE_API_TOKEN=change-me -v models:/var/lib/tripline/models tripline:0.2.0
FROM swift:6.3-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends libncurses-dev zlib1g-dev liblzma-dev libzstd-dev libsystemd-dev libcurl4-openssl-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
# SwiftPM reads every target of the manifest, test targets included.
COPY Tests ./Tests
COPY themes ./themes
RUN swift build -c release --static-swift-stdlib --product tripline \
 && swift build -c release --static-swift-stdlib --product tripline-mcp \
 && install -D -m 0755 .build/release/tripline /out/usr/local/bin/tripline \
 && install -D -m 0755 .build/release/tripline-mcp /out/usr/local/libexec/tripline/tripline-mcp \
 && strip --strip-unneeded /out/usr/local/bin/tripline /out/usr/local/libexec/tripline/tripline-mcp \
 && mkdir -p /out/usr/local/share/tripline \
 && cp -r themes /out/usr/local/share/tripline/themes

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends libncursesw6 zlib1g liblzma5 libzstd1 libsystemd0 libcurl4 curl ca-certificates tzdata \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 tripline \
 && useradd --system --uid 10001 --gid tripline --home-dir /var/lib/tripline --shell /usr/sbin/nologin tripline \
 && mkdir -p /var/lib/tripline/models /var/lib/tripline/reports /var/log/tripline \
 && chown -R tripline:tripline /var/lib/tripline
COPY --from=build /out/ /
ENV MODEL_DIR=/var/lib/tripline/models \
    LOG_DIR=/var/log/tripline \
    OUTPUT_DIR=/var/lib/tripline/reports \
    API_HOST=0.0.0.0 \
    API_PORT=8000
USER tripline
WORKDIR /var/lib/tripline
EXPOSE 8000
# For `serve` (the default): live while the process answers. Other commands run from this image
# (batch, mcp, train) turn it off (docker-compose.yml) or run too briefly for it to matter.
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
  CMD curl -fsS "http://127.0.0.1:${API_PORT}/health/live" >/dev/null || exit 1
# The API refuses a non-loopback address without TRIPLINE_API_TOKEN: pass one at run time.
ENTRYPOINT ["/usr/local/bin/tripline"]
CMD ["serve"]
