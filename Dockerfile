# azcred as a container image to copy from, e.g. in a CI job's Dockerfile:
#   COPY --from=ghcr.io/azcred/azcred:v1 /usr/local/bin/ /usr/local/bin/
# or to run with workload identity (AZURE_* variables, no store writes):
#   docker run -e AZURE_CLIENT_ID -e AZURE_TENANT_ID -e AZURE_FEDERATED_TOKEN_FILE ... ghcr.io/azcred/azcred token
#
# It holds the release's static Linux binaries, not a build from source: the
# build context is the directory scripts/image-context.sh makes from a
# GoReleaser dist/ (linux/amd64/ and linux/arm64/ with azcred and its helper
# names as symlinks, plus ca-certificates.crt), e.g.
#   bash scripts/image-context.sh dist dist/image
#   docker buildx build --platform linux/amd64,linux/arm64 -t ghcr.io/azcred/azcred:TAG dist/image -f Dockerfile
FROM scratch
ARG TARGETPLATFORM
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY ${TARGETPLATFORM}/ /usr/local/bin/
COPY --chown=65532:65532 home/ /home/
ENV PATH=/usr/local/bin HOME=/home/azcred
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/azcred"]
CMD ["version"]
