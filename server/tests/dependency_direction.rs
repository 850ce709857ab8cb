//! The crate's layering (docs/architecture.md): {`domain`, `binding`, `metrics`} ← {`integrity`, `rules`, `verified`}
//! ← `engines` ← `store` ← `core` ← {`transport`, `worker`, `cli`, `server`, …}. A module may
//! use modules of lower layers only; this test reads every source file (tests included) and
//! fails on any `crate::…` path that points up or sideways.
use std::{collections::BTreeSet, fs, path::Path};

/// Each top-level module and its layer; a module may use only modules of a lower layer. The
/// top layer's modules (the edges of the process) may also use each other.
const LAYERS: &[(&str, u8)] = &[
    ("domain", 0),
    ("binding", 0),
    ("metrics", 0),
    ("integrity", 1),
    ("rules", 1),
    ("verified", 1),
    ("engines", 2),
    ("store", 3),
    ("error", 3),
    ("core", 4),
    ("transport", 5),
    ("worker", 5),
    ("cli", 5),
    ("server", 5),
    ("openapi", 5),
    ("browser_assets", 5),
    ("dashboard_assets", 5),
];
const TOP: u8 = 5;

/// The store's only caller is the core: the edges reach data through core methods.
const ONLY_CORE_USES: &[&str] = &["store"];

fn layer(module: &str) -> Option<u8> {
    LAYERS.iter().find(|(m, _)| *m == module).map(|(_, l)| *l)
}

/// The top-level modules named by `crate::` paths in `src` (comments skipped), including
/// each branch of `use crate::{a::…, b, …}`.
fn crate_paths(src: &str) -> BTreeSet<String> {
    let code: String = src
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let mut out = BTreeSet::new();
    let mut rest = code.as_str();
    while let Some(i) = rest.find("crate::") {
        let after = &rest[i + "crate::".len()..];
        if let Some(group) = after.strip_prefix('{') {
            // Top-level branches of the group: split at depth-0 commas.
            let (mut depth, mut start) = (0usize, 0usize);
            for (j, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        out.insert(ident(&group[start..j]));
                        break;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        out.insert(ident(&group[start..j]));
                        start = j + 1;
                    }
                    _ => {}
                }
            }
        } else {
            out.insert(ident(after));
        }
        rest = after;
    }
    out.remove("");
    out
}

fn ident(s: &str) -> String {
    s.trim_start()
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn no_module_uses_a_layer_above_its_own() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut violations = Vec::new();
    for f in &files {
        let rel = f.strip_prefix(&src).unwrap();
        let top = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        if top == "lib" || top == "main" {
            continue;
        }
        let own = layer(&top).unwrap_or_else(|| {
            panic!("src/{top} is not in LAYERS: give the new module its place in the layering")
        });
        for used in crate_paths(&fs::read_to_string(f).unwrap()) {
            if used == top {
                continue;
            }
            let Some(l) = layer(&used) else {
                violations.push(format!(
                    "{}: crate::{used} is not a known module",
                    rel.display()
                ));
                continue;
            };
            if ONLY_CORE_USES.contains(&used.as_str()) && own > layer("core").unwrap() {
                violations.push(format!(
                    "{} uses crate::{used}: only the core may (add a core method)",
                    rel.display()
                ));
            }
            if l > own || (l == own && own != TOP) {
                violations.push(format!(
                    "{} (layer {own}) uses crate::{used} (layer {l})",
                    rel.display()
                ));
            }
        }
    }
    assert!(
        violations.is_empty(),
        "back edges:\n{}",
        violations.join("\n")
    );
}

#[test]
fn the_path_reader_sees_grouped_and_nested_uses() {
    let src = "use crate::{domain::{Band, Action}, store::Store};\n// crate::core in a comment\nlet x = crate::engines::heuristics::f();";
    let got: Vec<String> = crate_paths(src).into_iter().collect();
    assert_eq!(got, ["domain", "engines", "store"]);
}
