//! `granary new`: each language's template (and the typed ones of Rust, Python and JavaScript),
//! built with its own `./build.sh` exactly as a user would, pushed to a real node, answers a
//! call; bad names and used directories are refused.

use crate::support::process::{DevNode, granary_cli};
use std::path::Path;
use std::process::Command;

/// Every language `granary new` offers.
const TEMPLATES: [&str; 7] = ["rust", "c", "zig", "assemblyscript", "go", "python", "js"];

/// Languages `granary new --typed` offers.
const TYPED_TEMPLATES: [&str; 3] = ["rust", "python", "js"];

fn scaffold_build_push_call(lang: &str, typed: bool, node: &DevNode, workspace: &Path) {
    let name = if typed { format!("typed-{lang}") } else { format!("hello-{lang}") };
    let dir = workspace.join(&name);
    let dir_arg = dir.to_str().expect("UTF-8 path");
    let mut args = vec!["new", lang, &name, "--dir", dir_arg];
    if typed {
        args.push("--typed");
    }
    let created = granary_cli(&args);
    assert!(created.success, "granary new {lang}: {}", created.stderr);

    // Only caches are shared, those ./examples/build.sh filled: the Rust template reuses the
    // std it built from source (rustup has no wasm target here), the C template the bindings
    // generator's dependencies, the Zig template Zig's runtime.
    let target = crate::support::repo_root().join("target");
    let cargo_cache = target.join(if lang == "c" { "tools/c-bindgen" } else { "guest-rust" });
    let build = Command::new(dir.join("build.sh"))
        .env("CARGO_TARGET_DIR", cargo_cache)
        .env("ZIG_GLOBAL_CACHE_DIR", target.join("guest-zig/cache"))
        .output()
        .expect("run build.sh");
    assert!(
        build.status.success(),
        "{lang} template build failed:\n{}\n{}",
        String::from_utf8_lossy(&build.stdout),
        String::from_utf8_lossy(&build.stderr)
    );
    let wasm = dir.join(format!("{name}.wasm"));
    node.cli(&["kind", "push", &name, wasm.to_str().expect("UTF-8 path")]).reply();

    let grain = format!("{name}/ada");
    let first = node.cli(&["call", &grain, "greet", r#"{"name":"Ada"}"#]);
    let second = node.cli(&["call", &grain, "greet", r#"{"name":"Ada"}"#]);
    let reply: serde_json::Value = serde_json::from_str(second.reply()).expect("greet replies JSON");
    assert_eq!(reply["greeting"], "Hello, Ada!", "{lang}: {}", first.stdout);
    assert_eq!(reply["count"], 2, "{lang}: the count is kept in state");
    if typed {
        let bad = node.cli(&["call", &grain, "greet", r#"{"name":5}"#]);
        assert!(!bad.success && bad.stderr.contains("name: expected string, got number"), "{lang}: {}", bad.stderr);
        assert_eq!(node.cli(&["call", &grain, "count"]).reply(), "2", "{lang}: the refused call never ran");
        let described = node.cli(&["kind", "describe", &name]);
        assert!(described.stdout.contains("greet: func(name: string) -> greeting;"), "{lang}: {}", described.stdout);
    } else {
        let bad = node.cli(&["call", &grain, "greet", "not json"]);
        assert!(!bad.success && bad.stderr.contains("bad payload"), "{lang}: {}", bad.stderr);
    }
}

#[test]
fn every_template_builds_and_answers_a_call() {
    let workspace = tempfile::tempdir().expect("temp dir");
    let data = tempfile::tempdir().expect("temp dir");
    let node = DevNode::start(data.path(), &[]);
    for lang in TEMPLATES {
        scaffold_build_push_call(lang, false, &node, workspace.path());
    }
    node.stop();
}

#[test]
fn every_typed_template_builds_and_answers_a_typed_call() {
    let workspace = tempfile::tempdir().expect("temp dir");
    let data = tempfile::tempdir().expect("temp dir");
    let node = DevNode::start(data.path(), &[]);
    for lang in TYPED_TEMPLATES {
        scaffold_build_push_call(lang, true, &node, workspace.path());
    }
    let refused =
        granary_cli(&["new", "go", "typed-go", "--typed", "--dir", workspace.path().join("go").to_str().unwrap()]);
    assert!(!refused.success && refused.stderr.contains("rust, python and js"), "{}", refused.stderr);
    node.stop();
}

#[test]
fn new_refuses_a_bad_name_and_a_used_directory() {
    let workspace = tempfile::tempdir().expect("temp dir");
    let bad_name = granary_cli(&["new", "python", "no/slash", "--dir", workspace.path().join("x").to_str().unwrap()]);
    assert!(!bad_name.success && bad_name.stderr.contains("no/slash"), "{}", bad_name.stderr);
    assert!(!workspace.path().join("x").exists(), "nothing is written for a bad name");

    let used = workspace.path().join("used");
    std::fs::create_dir(&used).expect("mkdir");
    std::fs::write(used.join("mine.txt"), "keep me").expect("write");
    let refused = granary_cli(&["new", "js", "hello", "--dir", used.to_str().unwrap()]);
    assert!(!refused.success && refused.stderr.contains("not empty"), "{}", refused.stderr);
    assert_eq!(std::fs::read_dir(&used).expect("read dir").count(), 1, "a used directory is left alone");
}
