"""`fetcher`: fetches a URL over `wasi:http`, allowed only to the hosts its kind was granted.

- `get {"url": "http://host:port/path"}` -> `{"status": N, "body": "..."}`, or an error
  naming why (`HTTP-request-denied` for a host without a grant).

Built against wit/http-grain (the grain world plus wasi:http's outgoing handler).
"""

from urllib.parse import urlsplit

import granary
from componentize_py_types import Err, Ok
from wit_world.imports import outgoing_handler, streams
from wit_world.imports.wasi_http_types import Fields, Method_Get, OutgoingRequest, Scheme_Http, Scheme_Https

MAX_BODY = 1 << 20


def fetch(url):
    parts = urlsplit(url)
    request = OutgoingRequest(Fields())
    request.set_method(Method_Get())
    request.set_scheme(Scheme_Https() if parts.scheme == "https" else Scheme_Http())
    request.set_authority(parts.netloc)
    request.set_path_with_query(parts.path + ("?" + parts.query if parts.query else "") or "/")
    # Each resource is dropped before the one it came from, as wasi:http requires.
    with outgoing_handler.handle(request, None) as pending:
        while (outcome := pending.get()) is None:
            with pending.subscribe() as ready:
                ready.block()
    # get() gives result<result<incoming-response, error-code>>, as Ok or Err values.
    with unwrap(unwrap(outcome)) as response:
        status = response.status()
        with response.consume() as body:
            with body.stream() as stream:
                return status, read_all(stream)


def unwrap(result):
    if isinstance(result, Err):
        raise result
    return result.value if isinstance(result, Ok) else result


def read_all(stream):
    chunks = []
    size = 0
    while size < MAX_BODY:
        try:
            chunk = stream.blocking_read(64 * 1024)
        except Err as error:
            if isinstance(error.value, streams.StreamError_Closed):
                break
            raise
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


class Fetcher(granary.Grain):
    def handle(self, method, payload):
        if method == "get":
            url = granary.parse(payload, "url")["url"]
            try:
                status, body = fetch(url)
            except Err as error:
                raise granary.GrainError(f"fetching {url} failed: {error.value}")
            return granary.reply({"status": status, "body": body.decode(errors="replace")})
        raise granary.GrainError(f"unknown method {method!r}: fetcher has get")


WitWorld = granary.export(Fetcher)
