//! Outbound HTTP for grains: `wasi:http` is linked for every kind, and each request is let
//! through only to a host the kind was granted at push (`--allow-http HOST[:PORT]`). Every
//! other request fails with `HTTP-request-denied` before any connection is made.

use http::uri::Scheme;
use std::sync::Arc;
use wasmtime_wasi_http::{Error, RequestOptions, WasiBody, WasiHttpHooks};

/// One granted host: `HOST` (any port) or `HOST:PORT`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostGrant {
    host: String,
    port: Option<u16>,
}

impl HostGrant {
    /// Reads `HOST` or `HOST:PORT` (a name or an IP address, no scheme and no path).
    pub fn parse(text: &str) -> Result<HostGrant, String> {
        let bad = |why: &str| format!("bad --allow-http host {text:?}: {why}");
        if text.contains("://") || text.contains('/') {
            return Err(bad("give HOST or HOST:PORT, without a scheme or a path"));
        }
        let authority: http::uri::Authority = text.parse().map_err(|e| bad(&format!("{e}")))?;
        let grant = HostGrant { host: authority.host().to_ascii_lowercase(), port: authority.port_u16() };
        let reads_back = match grant.port {
            Some(port) => format!("{}:{port}", grant.host),
            None => grant.host.clone(),
        };
        if grant.host.is_empty() || !reads_back.eq_ignore_ascii_case(text) {
            return Err(bad("give HOST or HOST:PORT, the port a number"));
        }
        Ok(grant)
    }

    fn allows(&self, host: &str, port: u16) -> bool {
        self.host.eq_ignore_ascii_case(host) && self.port.is_none_or(|granted| granted == port)
    }
}

/// The hosts one kind may reach.
#[derive(Clone, Debug, Default)]
pub struct HttpGrants {
    allowed: Arc<[HostGrant]>,
}

impl HttpGrants {
    /// The grants of a kind, from its settings (checked at push).
    pub fn new(hosts: &std::collections::BTreeSet<String>) -> Result<HttpGrants, String> {
        let allowed = hosts.iter().map(|host| HostGrant::parse(host)).collect::<Result<Vec<_>, _>>()?;
        Ok(HttpGrants { allowed: allowed.into() })
    }

    /// Whether a request to `uri` may go out.
    fn allows(&self, uri: &http::Uri) -> bool {
        let Some(host) = uri.host() else { return false };
        let default_port = if uri.scheme() == Some(&Scheme::HTTPS) { 443 } else { 80 };
        let port = uri.port_u16().unwrap_or(default_port);
        self.allowed.iter().any(|grant| grant.allows(host, port))
    }
}

type ResponseFuture = Box<
    dyn Future<Output = Result<(http::Response<WasiBody>, Box<dyn Future<Output = Result<(), Error>> + Send>), Error>>
        + Send,
>;

impl WasiHttpHooks for HttpGrants {
    fn send_request(
        &mut self,
        request: http::Request<WasiBody>,
        options: Option<RequestOptions>,
        fut: Box<dyn Future<Output = Result<(), Error>> + Send>,
    ) -> ResponseFuture {
        if !self.allows(request.uri()) {
            tracing::warn!(uri = %request.uri(), "outbound HTTP refused: the kind has no grant for this host");
            return Box::new(async { Err(Error::HttpRequestDenied) });
        }
        _ = fut;
        Box::new(async move {
            use http_body_util::BodyExt;
            let (response, io) = wasmtime_wasi_http::default_send_request(request, options).await?;
            Ok((response.map(BodyExt::boxed_unsync), Box::new(io) as Box<dyn Future<Output = _> + Send>))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grants_name_a_host_and_optionally_its_port() {
        let grants = HttpGrants::new(&["Example.com".into(), "127.0.0.1:8080".into()].into()).expect("valid");
        let allows = |uri: &str| grants.allows(&uri.parse().expect("a URI"));
        assert!(allows("https://example.com/x"));
        assert!(allows("http://EXAMPLE.com:9000/"), "no port in the grant: any port");
        assert!(allows("http://127.0.0.1:8080/"));
        assert!(!allows("http://127.0.0.1:8081/"), "another port");
        assert!(!allows("http://127.0.0.1/"), "port 80 is not 8080");
        assert!(!allows("http://example.org/"));
        assert!(!allows("http://evil.com:8080@127.0.0.1/"), "userinfo is not part of the host");
        assert!(!HttpGrants::default().allows(&"http://example.com/".parse().expect("a URI")));
        for bad in ["http://example.com", "example.com/path", "user@example.com", "", "host:notaport"] {
            assert!(HostGrant::parse(bad).is_err(), "{bad:?} is refused");
        }
    }
}
