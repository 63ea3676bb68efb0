//! `granary new`: each language's template, built with its own `./build.sh` exactly as a user
//! would, pushed to a real node, answers a call; bad names and used directories are refused.

use crate::support::process::{DevNode, granary_cli};
use std::path::Path;
use std::process::Command;

/// Every language `granary new` offers.
const TEMPLATES: [&str; 7] = ["rust", "c", "zig", "assemblyscript", "go", "python", "js"];

fn scaffold_build_push_call(lang: &str, node: &DevNode, workspace: &Path) {
    let name = format!("hello-{lang}");
    let dir = workspace.join(&name);
    let dir_arg = dir.to_str().expect("UTF-8 path");
    let created = granary_cli(&["new", lang, &name, "--dir", dir_arg]);
    assert!(created.success, "granary new {lang}: {}", created.stderr);

    // Only a cache is shared: the Rust template reuses the std that ./examples/build.sh rust
    // already built from source, where rustup has no wasm target.
    let rust_cache = crate::support::repo_root().join("target/guest-rust");
    let build = Command::new(dir.join("build.sh")).env("CARGO_TARGET_DIR", rust_cache).output().expect("run build.sh");
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
    let bad = node.cli(&["call", &grain, "greet", "not json"]);
    assert!(!bad.success && bad.stderr.contains("bad payload"), "{lang}: {}", bad.stderr);
}

#[test]
fn every_template_builds_and_answers_a_call() {
    let workspace = tempfile::tempdir().expect("temp dir");
    let data = tempfile::tempdir().expect("temp dir");
    let node = DevNode::start(data.path(), &[]);
    for lang in TEMPLATES {
        scaffold_build_push_call(lang, &node, workspace.path());
    }
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
