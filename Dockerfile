# Portico in a minimal image: one static binary, state in the /data volume.
#
#   docker build --build-arg COMMIT=$(git rev-parse HEAD) -t portico .
#   docker run -p 4800:4800 -v portico-data:/data portico
#
# Other containers reach it by its service name: name that host, as in
#   docker run -e PORTICO_ALLOWED_HOSTS=portico ...
# (Portico answers its control plane only for hosts it knows: see README,
# "Browsers and hosts".)
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=""
ARG COMMIT=""
RUN VERSION="$VERSION" COMMIT="$COMMIT" scripts/release-build.sh /out/portico \
	&& mkdir -p /out/data

FROM scratch
# CA certificates for a --lambda-endpoint on https (AWS itself).
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/
COPY --from=build /out/portico /portico
COPY --from=build --chown=65532:65532 /out/data /data
USER 65532:65532
ENV PORTICO_LISTEN=0.0.0.0:4800 PORTICO_DATA_DIR=/data
VOLUME /data
EXPOSE 4800
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s CMD ["/portico", "health"]
ENTRYPOINT ["/portico"]
CMD ["serve"]
