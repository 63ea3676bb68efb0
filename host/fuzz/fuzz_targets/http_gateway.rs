//! What the HTTP gateway reads from a request besides routing, which axum does: the grain a
//! path names (`/v1/grains/{kind}/{id}/{method}`), the settings a push's query names, and a
//! push's body, the component.
#![no_main]

use granary_wire::ids::GrainId;
use granary_wire::push_query;

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| {
    // The input is a path, a query and a body, separated by the first two NULs.
    let mut parts = bytes.splitn(3, |&byte| byte == 0);
    let (path, query, body) = (parts.next().unwrap_or_default(), parts.next().unwrap_or_default(), parts.next());
    let path = String::from_utf8_lossy(path);
    let segments: Vec<&str> = path.split('/').collect();
    if let [kind, identity, method] = segments.as_slice()
        && let Ok(grain) = GrainId::new(*kind, *identity)
    {
        assert_eq!(grain.kind().as_str(), *kind);
        let _ = method;
    }
    if let Ok(query) = std::str::from_utf8(query)
        && let Ok(settings) = push_query::parse(query)
    {
        assert!(settings.roles.is_none_or(|roles| roles.iter().all(|role| !role.is_empty())));
    }
    if let Some(body) = body {
        granary_wire::component::summarize(body).ok();
    }
});
