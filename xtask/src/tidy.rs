//! The tidy test: the architecture's rules that the compiler cannot see, checked on the
//! source text by `cargo test -p xtask` (so `cargo xtask test` runs them). Each rule is one
//! test that names every offending `path:line`.
//!
//! The checks read Rust with a small scanner instead of a parser: comments are blanked (a
//! comment that explains a rule is not a breach of it) and string literals are listed, which is
//! all the rules need. Spacing is ignored where a statement is matched, so a line break or a
//! missing space does not hide a breach.

#![cfg(test)]

use std::path::{Path, PathBuf};

use crate::root;

/// Folders never walked: build output, installed tools, git's own files. A folder holding a
/// `CACHEDIR.TAG` (cargo's target directory, wherever `CARGO_TARGET_DIR` puts it) is skipped too.
const SKIPPED_DIRS: [&str; 5] = ["target", ".tools", "node_modules", "dist", ".git"];

/// Every file of the repository whose name ends with `extension`, as `/`-separated paths
/// relative to the root, sorted.
fn files_ending_with(extension: &str) -> Vec<String> {
    let root = root();
    let mut found = Vec::new();
    let mut dirs = vec![root.clone()];
    while let Some(dir) = dirs.pop() {
        if dir.join("CACHEDIR.TAG").exists() {
            continue;
        }
        let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for entry in entries {
            let path = entry.expect("a directory entry").path();
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            if path.is_dir() {
                if !SKIPPED_DIRS.contains(&name.as_ref()) {
                    dirs.push(path);
                }
            } else if name.ends_with(extension) {
                found.push(relative(&root, &path));
            }
        }
    }
    found.sort();
    found
}

fn relative(root: &Path, path: &Path) -> String {
    let relative: PathBuf = path.strip_prefix(root).unwrap_or(path).to_path_buf();
    relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Fails with every offence, one `path:line: why` a line, so all of them can be fixed at once.
fn assert_none(rule: &str, offences: Vec<String>) {
    assert!(
        offences.is_empty(),
        "{rule}: {} offence(s)\n  {}\n",
        offences.len(),
        offences.join("\n  ")
    );
}

/// A Rust file as the rules read it.
struct Scanned {
    /// The text with every comment blanked to spaces; newlines are kept, so lines still count.
    code: String,
    /// Each string literal's text (escapes as written) and the line it starts on (from 1).
    strings: Vec<(usize, String)>,
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Blanks comments (nested block comments too) and collects string literals, minding raw
/// strings, escapes, and char literals such as `'"'` that would otherwise open a string.
fn scan(source: &str) -> Scanned {
    let chars: Vec<char> = source.chars().collect();
    let at = |i: usize| chars.get(i).copied();
    let mut code = String::with_capacity(source.len());
    let mut strings = Vec::new();
    let mut line = 1;
    let mut i = 0;
    while let Some(c) = at(i) {
        let after_ident = i > 0 && is_ident(chars[i - 1]);
        if c == '/' && at(i + 1) == Some('/') {
            while at(i).is_some_and(|c| c != '\n') {
                code.push(' ');
                i += 1;
            }
        } else if c == '/' && at(i + 1) == Some('*') {
            let mut depth = 0;
            while let Some(c) = at(i) {
                if c == '/' && at(i + 1) == Some('*') {
                    depth += 1;
                    code.push_str("  ");
                    i += 2;
                } else if c == '*' && at(i + 1) == Some('/') {
                    depth -= 1;
                    code.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    if c == '\n' {
                        line += 1;
                    }
                    code.push(if c == '\n' { '\n' } else { ' ' });
                    i += 1;
                }
            }
        } else if let Some(hashes) = (!after_ident)
            .then(|| raw_string_start(&chars, i))
            .flatten()
        {
            // r"…", r#"…"#, br"…", cr#"…"#: no escapes; ends at a quote and as many hashes.
            let start_line = line;
            let open = chars[i..]
                .iter()
                .position(|&c| c == '"')
                .expect("a raw string opens")
                + i;
            for &c in &chars[i..=open] {
                keep(c, &mut code, &mut line);
            }
            i = open + 1;
            let mut text = String::new();
            while let Some(c) = at(i) {
                if c == '"' && (1..=hashes).all(|k| at(i + k) == Some('#')) {
                    for &c in &chars[i..=i + hashes] {
                        keep(c, &mut code, &mut line);
                    }
                    i += hashes + 1;
                    break;
                }
                text.push(c);
                keep(c, &mut code, &mut line);
                i += 1;
            }
            strings.push((start_line, text));
        } else if c == '"' {
            let start_line = line;
            keep(c, &mut code, &mut line);
            i += 1;
            let mut text = String::new();
            while let Some(c) = at(i) {
                keep(c, &mut code, &mut line);
                i += 1;
                if c == '\\' {
                    if let Some(escaped) = at(i) {
                        text.push(c);
                        text.push(escaped);
                        keep(escaped, &mut code, &mut line);
                        i += 1;
                    }
                } else if c == '"' {
                    break;
                } else {
                    text.push(c);
                }
            }
            strings.push((start_line, text));
        } else if c == '\'' && at(i + 1) == Some('\\') {
            // An escaped char literal ('\'', '\\', '\u{…}'): up to the next quote after the escape.
            let from = (i + 3).min(chars.len());
            let end = chars[from..]
                .iter()
                .position(|&c| c == '\'')
                .map_or(chars.len() - 1, |p| from + p);
            code.extend(&chars[i..=end]);
            i = end + 1;
        } else if c == '\'' && at(i + 2) == Some('\'') {
            // A char literal such as '"' or '{'; anything else after a quote is a lifetime.
            code.extend(&chars[i..i + 3]);
            i += 3;
        } else {
            keep(c, &mut code, &mut line);
            i += 1;
        }
    }
    Scanned { code, strings }
}

/// Copies one char that stays (code or a literal) into `code`, counting lines.
fn keep(c: char, code: &mut String, line: &mut usize) {
    if c == '\n' {
        *line += 1;
    }
    code.push(c);
}

/// The number of `#` of a raw string literal starting at `i` (`r`, `br` or `cr`), if one does.
fn raw_string_start(chars: &[char], i: usize) -> Option<usize> {
    let r = match chars.get(i)? {
        'r' => i,
        'b' | 'c' if chars.get(i + 1) == Some(&'r') => i + 1,
        _ => return None,
    };
    let hashes = chars[r + 1..].iter().take_while(|&&c| c == '#').count();
    (chars.get(r + 1 + hashes) == Some(&'"')).then_some(hashes)
}

/// Code with its spacing made canonical: whitespace is kept only between two word characters
/// (as one space), so `let _ =\n    actions::act(` reads as `let _=actions::act(`. Each char
/// comes with its line.
fn canonical(code: &str) -> Vec<(char, usize)> {
    let mut out: Vec<(char, usize)> = Vec::new();
    let mut line = 1;
    let mut pending_space = false;
    for c in code.chars() {
        if c.is_whitespace() {
            pending_space = true;
        } else {
            if pending_space && out.last().is_some_and(|&(last, _)| is_ident(last)) && is_ident(c) {
                out.push((' ', line));
            }
            pending_space = false;
            out.push((c, line));
        }
        if c == '\n' {
            line += 1;
        }
    }
    out
}

/// Where `pattern` (made canonical too) starts in `code`, as indices into `code`.
fn find(code: &[(char, usize)], pattern: &str) -> Vec<usize> {
    let pattern: Vec<char> = canonical(pattern).into_iter().map(|(c, _)| c).collect();
    (0..code.len().saturating_sub(pattern.len().saturating_sub(1)))
        .filter(|&start| {
            code[start..start + pattern.len()]
                .iter()
                .map(|&(c, _)| c)
                .eq(pattern.iter().copied())
        })
        .collect()
}

/// The lines where `pattern` occurs in `code` as whole words at both ends, spacing ignored.
fn lines_matching(code: &[(char, usize)], pattern: &str) -> Vec<usize> {
    let (first, last) = (
        pattern.chars().next().unwrap_or(' '),
        pattern.chars().last().unwrap_or(' '),
    );
    let length = canonical(pattern).len();
    find(code, pattern)
        .into_iter()
        .filter(|&start| {
            let before = start.checked_sub(1).map(|b| code[b].0);
            let after = code.get(start + length).map(|&(c, _)| c);
            let joined_before = is_ident(first) && before.is_some_and(is_ident);
            let joined_after = is_ident(last) && after.is_some_and(is_ident);
            !joined_before && !joined_after
        })
        .map(|start| code[start].1)
        .collect()
}

/// The text of line `n` (from 1), trimmed, to show next to an offence.
fn line_text(source: &str, n: usize) -> String {
    source.lines().nth(n - 1).unwrap_or("").trim().to_string()
}

// ---- rule 1: every Rust file says what it is for ------------------------------------------

/// The file's first line opens a `//!` comment (nothing may come before it).
fn opens_with_doc_comment(source: &str) -> bool {
    source.trim_start_matches('\u{feff}').starts_with("//!")
}

#[test]
fn every_rust_file_opens_with_a_doc_comment_saying_what_it_is_for() {
    let offences = files_ending_with(".rs")
        .into_iter()
        .filter(|path| !opens_with_doc_comment(&read(path)))
        .map(|path| format!("{path}:1: does not open with a `//!` comment"))
        .collect();
    assert_none("every .rs file opens with `//!`", offences);
}

// ---- rule 2: SQL only in the server's store -------------------------------------------------

/// Words that start SQL statements as this code base writes them (in capitals).
const SQL: [&str; 9] = [
    "SELECT ",
    "INSERT INTO",
    "UPDATE ",
    "DELETE FROM",
    "BEGIN IMMEDIATE",
    "CREATE TABLE",
    "ALTER TABLE",
    "DROP TABLE",
    "PRAGMA ",
];

/// Where SQL may be written. `crates/server/tests/` is allowed on purpose: the API tests look
/// into the database from outside, as an inspector would (counting rows an action must or must
/// not have written), and arrange what the API cannot reach (an expired code, a round past its
/// window, an issue status no server writes, to prove the store reports it instead of guessing).
/// The rule is about the server's own code, where only `store` may speak SQL. This file holds
/// the words it looks for.
const SQL_ALLOWED: [&str; 3] = [
    "crates/server/src/store/",
    "crates/server/tests/",
    "xtask/src/tidy.rs",
];

fn sql_literals(source: &str) -> Vec<(usize, String)> {
    scan(source)
        .strings
        .into_iter()
        .filter(|(_, text)| SQL.iter().any(|word| text.contains(word)))
        .collect()
}

#[test]
fn sql_is_written_only_in_the_servers_store_and_its_migrations() {
    let mut offences: Vec<String> = files_ending_with(".rs")
        .into_iter()
        .filter(|path| !SQL_ALLOWED.iter().any(|allowed| path.starts_with(allowed)))
        .flat_map(|path| {
            sql_literals(&read(&path))
                .into_iter()
                .map(move |(line, text)| format!("{path}:{line}: SQL outside store/: {text:?}"))
        })
        .collect();
    offences.extend(
        files_ending_with(".sql")
            .into_iter()
            .filter(|path| !path.starts_with("crates/server/migrations/"))
            .map(|path| format!("{path}: an .sql file outside crates/server/migrations/")),
    );
    assert_none(
        "SQL only in crates/server/src/store/ and migrations/",
        offences,
    );
}

// ---- rule 3: IndexedDB only in the app's storage module -------------------------------------

/// The app's storage module: a folder today (it may be split into several files), or a file.
const STORE: &str = "src/common/store";

fn in_store(path: &str) -> bool {
    path.starts_with(&format!("{STORE}/")) || path == format!("{STORE}.rs")
}

/// The ways Rust code reaches IndexedDB: the crate, the browser's names for it, and web-sys's
/// `Idb…` types (checked apart: any word starting with `Idb` and a capital).
const INDEXED_DB: [&str; 3] = ["rexie", "indexedDB", "indexed_db"];

fn indexed_db_lines(source: &str) -> Vec<usize> {
    let code = canonical(&scan(source).code);
    // Substrings on purpose: `rexie::Rexie`, `window.indexedDB`, `.indexed_db()`.
    let mut lines: Vec<usize> = INDEXED_DB
        .iter()
        .flat_map(|word| find(&code, word))
        .map(|start| code[start].1)
        .collect();
    let web_sys_type = |i: usize| {
        let word_start = i == 0 || !is_ident(code[i - 1].0);
        let next: String = code[i..i + 4].iter().map(|&(c, _)| c).collect();
        word_start && next.starts_with("Idb") && next.ends_with(|c: char| c.is_ascii_uppercase())
    };
    lines.extend(
        (0..code.len().saturating_sub(3))
            .filter(|&i| web_sys_type(i))
            .map(|i| code[i].1),
    );
    lines.sort_unstable();
    lines.dedup();
    lines
}

#[test]
fn indexeddb_is_touched_only_by_the_apps_storage_module() {
    let offences = files_ending_with(".rs")
        .into_iter()
        .filter(|path| path.starts_with("src/") && !in_store(path))
        .flat_map(|path| {
            let source = read(&path);
            indexed_db_lines(&source)
                .into_iter()
                .map(|line| {
                    format!(
                        "{path}:{line}: IndexedDB outside {STORE}: {}",
                        line_text(&source, line)
                    )
                })
                .collect::<Vec<_>>()
        })
        .collect();
    assert_none("IndexedDB only in the app's storage module", offences);
}

// ---- rule 4: an action's result is never thrown away ----------------------------------------

/// Ways of dropping what `actions::…` returned: a failed IndexedDB write would vanish and the
/// person would believe the action was saved. Spacing and line breaks do not matter.
const DROPPED_ACTION: [&str; 5] = [
    "let _ = actions::",
    "let _ = crate::common::actions::",
    "let _: Result<(), ActionError>",
    "_ = actions::",
    "_ = crate::common::actions::",
];

fn dropped_action_lines(source: &str) -> Vec<usize> {
    let code = canonical(&scan(source).code);
    let mut lines: Vec<usize> = DROPPED_ACTION
        .iter()
        .flat_map(|pattern| lines_matching(&code, pattern))
        .collect();
    lines.sort_unstable();
    lines.dedup();
    lines
}

#[test]
fn no_action_result_is_thrown_away_with_let_underscore() {
    let offences = files_ending_with(".rs")
        .into_iter()
        .filter(|path| path.starts_with("src/"))
        .flat_map(|path| {
            let source = read(&path);
            dropped_action_lines(&source)
                .into_iter()
                .map(|line| {
                    format!(
                        "{path}:{line}: an action's result is dropped: {}",
                        line_text(&source, line)
                    )
                })
                .collect::<Vec<_>>()
        })
        .collect();
    assert_none("no `let _ =` on an action's result", offences);
}

// ---- rule 5: the two apps stay apart --------------------------------------------------------

/// The lines of `source` that name the module `module` of the app's crate: `crate::work`,
/// `yiwantang::work`, `super::work`, or `work` as an item of a `crate::{…}` group.
fn lines_naming(source: &str, module: &str) -> Vec<usize> {
    let code = canonical(&scan(source).code);
    let mut lines = Vec::new();
    for root in ["crate", "yiwantang", "super"] {
        lines.extend(lines_matching(&code, &format!("{root}::{module}")));
        let opener = format!("{root}::{{");
        let groups = find(&code, &opener)
            .into_iter()
            .filter(|&i| i == 0 || !is_ident(code[i - 1].0));
        for group in groups {
            // Walk the group; an item starts after its `{` and after each top-level comma.
            let mut depth = 1;
            let mut item_starts = true;
            for j in group + opener.len()..code.len() {
                let c = code[j].0;
                if depth == 1 && item_starts {
                    let word: String = code[j..]
                        .iter()
                        .map(|&(c, _)| c)
                        .take_while(|&c| is_ident(c))
                        .collect();
                    if word == module {
                        lines.push(code[j].1);
                    }
                }
                item_starts = depth == 1 && c == ',';
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    _ => {}
                }
                if depth == 0 {
                    break;
                }
            }
        }
    }
    lines.sort_unstable();
    lines.dedup();
    lines
}

/// Each app's files: its folder and its binary's entry point.
fn app_files(folder: &str, entry: &str) -> Vec<String> {
    files_ending_with(".rs")
        .into_iter()
        .filter(|path| path.starts_with(folder) || path == entry)
        .collect()
}

#[test]
fn the_two_apps_never_name_each_other() {
    let mut offences = Vec::new();
    for (files, other, why) in [
        (
            app_files("src/resident/", "src/main.rs"),
            "work",
            "the resident app names the work app",
        ),
        (
            app_files("src/work/", "src/bin/work.rs"),
            "resident",
            "the work app names the resident app",
        ),
    ] {
        for path in files {
            let source = read(&path);
            for line in lines_naming(&source, other) {
                offences.push(format!(
                    "{path}:{line}: {why}: {}",
                    line_text(&source, line)
                ));
            }
        }
    }
    assert_none("the two apps stay apart", offences);
}

// ---- the checks themselves: each finds what it should, and no more --------------------------

#[test]
fn the_scanner_blanks_comments_and_lists_strings_but_not_char_literals() {
    let scanned = scan(
        "//! doc \"not a string\"\nlet q = '\"'; /* a /* nested */ \"no\" */ let s = r#\"SELECT \"x\"\"#;\nlet e = \"a\\\"b\"; 'a: loop {}\n",
    );
    let strings: Vec<&str> = scanned.strings.iter().map(|(_, s)| s.as_str()).collect();
    assert_eq!(strings, ["SELECT \"x\"", "a\\\"b"]);
    assert_eq!(scanned.strings[0].0, 2);
    assert!(!scanned.code.contains("doc") && !scanned.code.contains("nested"));
    assert_eq!(scanned.code.lines().count(), 3);
}

#[test]
fn a_file_without_a_leading_doc_comment_is_caught() {
    assert!(opens_with_doc_comment("//! What this is for.\nfn f() {}\n"));
    assert!(!opens_with_doc_comment("// What this is for.\nfn f() {}\n"));
    assert!(!opens_with_doc_comment("\n//! After a blank line.\n"));
    assert!(!opens_with_doc_comment("use std::io;\n//! Too late.\n"));
}

#[test]
fn sql_in_a_string_is_caught_but_not_in_a_comment_or_prose() {
    let source = "//! Not here: SELECT * FROM x\n// UPDATE in a comment\nfn f() {\n    sqlx::query(\n        \"DELETE FROM sessions WHERE id = ?\",\n    );\n    let text = \"Update now\";\n}\n";
    let found: Vec<usize> = sql_literals(source)
        .into_iter()
        .map(|(line, _)| line)
        .collect();
    assert_eq!(found, [5]);
}

#[test]
fn indexeddb_outside_the_store_is_caught_in_code_but_not_in_comments() {
    let source = "//! Kept in IndexedDB by the store (rexie).\nuse rexie::Rexie;\nfn f(w: web_sys::Window) {\n    let _f: web_sys::IdbFactory = w.indexed_db().unwrap().unwrap();\n    let js = \"indexedDB\";\n    let fine = Idbx; // IdbFactory\n}\n";
    assert_eq!(indexed_db_lines(source), [2, 4, 5]);
}

#[test]
fn a_dropped_action_result_is_caught_across_lines_and_spacing() {
    let source = "//! x\nfn f() {\n    let _ = actions::act(app, &args).await;\n    let _ =\n        crate::common::actions::sign_out(app);\n    let _: Result<(), ActionError> =\n        actions::act(app);\n    _ = actions::act(app);\n    let _ok = actions::act(app);\n    // let _ = actions::act(app);\n    let saved = actions::act(app).await;\n    let _ = other::act(app);\n}\n";
    assert_eq!(dropped_action_lines(source), [3, 4, 6, 8]);
}

#[test]
fn an_app_naming_the_other_is_caught_in_paths_and_use_groups_but_not_in_comments() {
    let source = "//! Never names `crate::work`.\nuse crate::work::Home;\nuse crate::{common::x, work};\nuse crate::{\n    common::{work_role, y},\n    work::Staff,\n};\nfn f() { yiwantang::work::WorkApp; crate::workers(); super::work::x(); }\n";
    assert_eq!(lines_naming(source, "work"), [2, 3, 6, 8]);
}
