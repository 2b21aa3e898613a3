//! `meed lsp`, driven in-process over `Connection::memory()`: each
//! capability's answer is snapshotted, and the tests edit documents the
//! way an editor does (open, change while broken, fix).
//!
//! File addresses under this checkout are written `file://[ROOT]/...` in
//! the snapshots, so they do not depend on where the checkout is.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "the client's helpers are test code: a panic there is a failing test"
)]

use std::path::Path;
use std::thread::JoinHandle;

use lsp_server::{Connection, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidOpenTextDocument, Exit, Initialized, Notification as _,
    PublishDiagnostics,
};
use lsp_types::request::{
    Completion, DocumentSymbolRequest, Formatting, GotoDefinition, HoverRequest, Initialize,
    References, Rename, Request as _, Shutdown,
};
use lsp_types::{Position, PublishDiagnosticsParams, Url};
use serde_json::{Value, json};

/// A client talking to a server running on its own thread.
struct Client {
    connection: Connection,
    server: Option<JoinHandle<Result<(), meed::lsp::LspError>>>,
    next_id: i32,
    /// Diagnostics published and not yet taken.
    published: Vec<PublishDiagnosticsParams>,
}

impl Client {
    fn start() -> Client {
        let (server, client) = Connection::memory();
        let handle = std::thread::spawn(move || meed::lsp::serve(&server));
        let mut client = Client {
            connection: client,
            server: Some(handle),
            next_id: 0,
            published: Vec::new(),
        };
        client.request(Initialize::METHOD, json!({ "capabilities": {} }));
        client.notify(Initialized::METHOD, json!({}));
        client
    }

    fn notify(&self, method: &str, params: Value) {
        let message = Notification::new(method.to_string(), params);
        self.connection.sender.send(message.into()).unwrap();
    }

    /// Sends a request and waits for its response, keeping what was
    /// published meanwhile.
    fn request(&mut self, method: &str, params: Value) -> Response {
        self.next_id += 1;
        let id = RequestId::from(self.next_id);
        let request = Request::new(id.clone(), method.to_string(), params);
        self.connection.sender.send(request.into()).unwrap();
        loop {
            match self.receive() {
                Message::Response(response) if response.id == id => return response,
                Message::Notification(n) => self.keep(n),
                other => panic!("unexpected message: {other:?}"),
            }
        }
    }

    /// The result of a request that must succeed, with addresses redacted.
    fn result(&mut self, method: &str, params: Value) -> Value {
        let response = self.request(method, params);
        match response.response_result {
            Ok(result) => redact(result),
            Err(error) => panic!("{method} failed: {error:?}"),
        }
    }

    fn receive(&self) -> Message {
        self.connection
            .receiver
            .recv_timeout(std::time::Duration::from_secs(30))
            .expect("the server answers within 30 s")
    }

    fn keep(&mut self, notification: Notification) {
        assert_eq!(notification.method, PublishDiagnostics::METHOD);
        self.published
            .push(serde_json::from_value(notification.params).unwrap());
    }

    /// The next diagnostics published for `uri`.
    fn diagnostics(&mut self, uri: &Url) -> Value {
        loop {
            if let Some(i) = self.published.iter().position(|p| &p.uri == uri) {
                let params = self.published.remove(i);
                return redact(serde_json::to_value(params.diagnostics).unwrap());
            }
            match self.receive() {
                Message::Notification(n) => self.keep(n),
                other => panic!("unexpected message: {other:?}"),
            }
        }
    }

    fn open(&mut self, uri: &Url, text: &str) -> Value {
        self.notify(
            DidOpenTextDocument::METHOD,
            json!({ "textDocument": { "uri": uri, "languageId": "meed", "version": 1, "text": text } }),
        );
        self.diagnostics(uri)
    }

    fn change(&mut self, uri: &Url, version: i32, text: &str) -> Value {
        self.notify(
            DidChangeTextDocument::METHOD,
            json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [{ "text": text }] }),
        );
        self.diagnostics(uri)
    }

    fn at(&mut self, method: &str, uri: &Url, position: Position) -> Value {
        self.result(
            method,
            json!({ "textDocument": { "uri": uri }, "position": position }),
        )
    }
}

impl Drop for Client {
    /// Shuts the server down as an editor does, and checks it ended cleanly.
    fn drop(&mut self) {
        if std::thread::panicking() {
            return;
        }
        let response = self.request(Shutdown::METHOD, Value::Null);
        assert!(response.response_result.is_ok());
        self.notify(Exit::METHOD, Value::Null);
        if let Some(server) = self.server.take() {
            let ended = server.join().expect("the server thread does not panic");
            assert!(ended.is_ok(), "{ended:?}");
        }
    }
}

fn root() -> &'static str {
    env!("CARGO_MANIFEST_DIR")
}

fn redact(value: Value) -> Value {
    let text = serde_json::to_string(&value).unwrap();
    serde_json::from_str(&text.replace(root(), "[ROOT]")).unwrap()
}

/// The address of a file of this checkout.
fn file(path: &str) -> Url {
    Url::from_file_path(Path::new(root()).join(path)).unwrap()
}

fn read(path: &str) -> String {
    std::fs::read_to_string(Path::new(root()).join(path)).unwrap()
}

/// An address of a document that exists only in the editor.
fn scratch(name: &str) -> Url {
    Url::parse(&format!("file:///scratch/{name}")).unwrap()
}

/// The LSP position of the `nth` (0-based) occurrence of `needle`, plus
/// `shift` characters, counted in UTF-16 independently of the server.
fn pos(text: &str, needle: &str, nth: usize, shift: usize) -> Position {
    let offset = text
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("`{needle}` #{nth} is in the text"))
        .0;
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let character = before[line_start..].encode_utf16().count() + shift;
    Position::new(line as u32, character as u32)
}

/// The LSP position just after the first occurrence of `needle`, which
/// may span lines.
fn after(text: &str, needle: &str) -> Position {
    let end = text
        .find(needle)
        .unwrap_or_else(|| panic!("`{needle}` is in the text"))
        + needle.len();
    let before = &text[..end];
    let line = before.matches('\n').count();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    Position::new(
        line as u32,
        before[line_start..].encode_utf16().count() as u32,
    )
}

const POLICY: &str = "tests/inputs/lsp/policy.meed";

const SEVERAL_ERRORS: &str = "\
reward bonus: Money(EUR)
contribution review { lines: Int }

rule a {
  on review r
  grant bonus r.lnes * 1 EUR
}

rule b {
  on reviw x
  grant bonus 5 USD
}

let unused = 3 pts
";

const FIXED: &str = "\
reward bonus: Money(EUR)
contribution review { lines: Int }

rule a {
  on review r
  grant bonus r.lines * 1 EUR
}

rule b {
  on review x
  grant bonus 5 EUR
}
";

#[test]
fn initialize_announces_the_capabilities() {
    let capabilities = serde_json::to_value(meed::lsp::capabilities()).unwrap();
    insta::assert_json_snapshot!(capabilities);
    drop(Client::start());
}

#[test]
fn several_errors_then_an_edit_that_fixes_them() {
    let mut client = Client::start();
    let uri = scratch("several.meed");
    let diagnostics = client.open(&uri, SEVERAL_ERRORS);
    insta::assert_json_snapshot!("several_errors", diagnostics);
    let codes: Vec<&str> = diagnostics
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["code"].as_str())
        .collect();
    assert!(codes.contains(&"meed::unknown_field"), "{codes:?}");
    assert!(codes.contains(&"meed::unknown_kind"), "{codes:?}");
    assert_eq!(client.change(&uri, 2, FIXED), json!([]));
}

#[test]
fn diagnostics_match_meed_check_for_a_clean_policy_and_a_warning() {
    let mut client = Client::start();
    assert_eq!(client.open(&file(POLICY), &read(POLICY)), json!([]));
    let uri = scratch("warning.meed");
    let diagnostics = client.open(&uri, "reward bonus: Money(EUR)\nlet unused = 3 pts\n");
    insta::assert_json_snapshot!("warnings", diagnostics);
}

#[test]
fn a_syntax_error_mid_edit_keeps_the_server_answering() {
    let mut client = Client::start();
    let uri = file(POLICY);
    let text = read(POLICY);
    client.open(&uri, &text);
    // Typing `r.` in the first rule: the file no longer parses.
    let broken = text.replacen("when r.lines >= 50 and", "when r. >= 50 and", 1);
    let diagnostics = client.change(&uri, 2, &broken);
    insta::assert_json_snapshot!("syntax_error_mid_edit", diagnostics);
    // Hover elsewhere still answers from the rest of the file.
    let hover = client.at(
        HoverRequest::METHOD,
        &uri,
        pos(&broken, "review_rate", 0, 2),
    );
    insta::assert_json_snapshot!("hover_while_broken", hover);
    // So does the outline, and completion after `r.` offers the fields.
    let outline = client.result(
        DocumentSymbolRequest::METHOD,
        json!({ "textDocument": { "uri": uri } }),
    );
    let names: Vec<&str> = outline
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["name"].as_str())
        .collect();
    assert!(names.contains(&"review_points"), "{names:?}");
    let completion = client.at(Completion::METHOD, &uri, pos(&broken, "r. >=", 0, 2));
    insta::assert_json_snapshot!("completion_after_dot_while_broken", completion);
    // The fix clears the syntax error.
    assert_eq!(client.change(&uri, 3, &text), json!([]));
}

#[test]
fn a_burst_of_changes_ends_with_the_last_version_published() {
    let mut client = Client::start();
    let uri = scratch("burst.meed");
    client.open(&uri, FIXED);
    // Keystrokes faster than the server: some versions may be skipped, but
    // what is published last is the last version's diagnostics.
    for version in 2..=20 {
        let text = if version == 20 { SEVERAL_ERRORS } else { FIXED };
        client.notify(
            DidChangeTextDocument::METHOD,
            json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [{ "text": text }] }),
        );
    }
    client.at(HoverRequest::METHOD, &uri, Position::new(0, 0));
    let last = client.published.pop().unwrap();
    assert_eq!(last.version, Some(20));
    assert_eq!(last.diagnostics.len(), 4);
    assert!(client.published.iter().all(|p| p.version < Some(20)));
    // A request between two changes is answered on the text before it.
    client.published.clear();
    let one_line = "reward payout: Points\n";
    client.notify(
        DidChangeTextDocument::METHOD,
        json!({ "textDocument": { "uri": uri, "version": 21 }, "contentChanges": [{ "text": one_line }] }),
    );
    let request = json!({ "textDocument": { "uri": uri }, "position": Position::new(0, 9) });
    client.next_id += 1;
    let id = RequestId::from(client.next_id);
    let hover = Request::new(id.clone(), HoverRequest::METHOD.to_string(), request);
    client.connection.sender.send(hover.into()).unwrap();
    client.notify(
        DidChangeTextDocument::METHOD,
        json!({ "textDocument": { "uri": uri, "version": 22 }, "contentChanges": [{ "text": "" }] }),
    );
    let answer = loop {
        match client.receive() {
            Message::Response(response) if response.id == id => break response,
            Message::Notification(n) => client.keep(n),
            other => panic!("unexpected message: {other:?}"),
        }
    };
    let value = answer.response_result.unwrap();
    assert!(
        value.to_string().contains("reward payout: Points"),
        "{value}"
    );
}

#[test]
fn positions_are_utf16_on_lines_with_non_ascii_text() {
    let mut client = Client::start();
    let uri = scratch("accents.meed");
    // `é` is one UTF-16 unit (two bytes), `😀` two units (four bytes).
    let text = "reward bonus: Money(EUR)\nlet x = \"é😀\" + zzz\n";
    let diagnostics = client.open(&uri, text);
    let unknown = diagnostics
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "meed::unknown_name")
        .unwrap_or_else(|| panic!("an unknown name error in {diagnostics}"))
        .clone();
    let start = pos(text, "zzz", 0, 0);
    assert_eq!(start, Position::new(1, 16));
    assert_eq!(unknown["range"]["start"], json!(start));
    assert_eq!(unknown["range"]["end"], json!(pos(text, "zzz", 0, 3)));
    // A hover on the name after the emoji finds it (position → offset).
    let policy = read(POLICY);
    client.open(&file(POLICY), &policy);
    let hover = client.at(
        HoverRequest::METHOD,
        &file(POLICY),
        pos(&policy, "Zürich", 0, 2),
    );
    assert_eq!(
        hover,
        Value::Null,
        "a string in the header has no type to show"
    );
}

#[test]
fn a_test_only_file_is_checked_against_its_import() {
    let mut client = Client::start();
    let path = "tests/inputs/testing/import_type_error.meed";
    let diagnostics = client.open(&file(path), &read(path));
    insta::assert_json_snapshot!("test_file_type_errors", diagnostics);
    let path = "tests/inputs/lsp/imports_broken.meed";
    let diagnostics = client.open(&file(path), &read(path));
    insta::assert_json_snapshot!("test_file_broken_import", diagnostics);
}

#[test]
fn a_test_only_file_reaches_into_the_policy_it_imports() {
    let mut client = Client::start();
    let path = "tests/inputs/lsp/policy_tests.meed";
    let uri = file(path);
    let text = read(path);
    assert_eq!(client.open(&uri, &text), json!([]));
    let mut answers = serde_json::Map::new();
    let bonus = pos(&text, "ana bonus", 0, 5);
    answers.insert(
        "definition: account in an expect".to_string(),
        client.at(GotoDefinition::METHOD, &uri, bonus),
    );
    answers.insert(
        "definition: field in a given record".to_string(),
        client.at(GotoDefinition::METHOD, &uri, pos(&text, "lines: 10", 0, 1)),
    );
    answers.insert(
        "hover: field in a given record".to_string(),
        client.at(HoverRequest::METHOD, &uri, pos(&text, "lines: 10", 0, 1)),
    );
    answers.insert(
        "hover: kind of a given record".to_string(),
        client.at(HoverRequest::METHOD, &uri, pos(&text, "review r1", 0, 2)),
    );
    let params = json!({
        "textDocument": { "uri": uri },
        "position": bonus,
        "context": { "includeDeclaration": false },
    });
    answers.insert(
        "references: account in an expect".to_string(),
        client.result(References::METHOD, params),
    );
    let edited = text.replacen("expect ana bonus", "expect ana bo", 1);
    client.change(&uri, 2, &edited);
    let completion = client.at(Completion::METHOD, &uri, after(&edited, "ana bo"));
    answers.insert(
        "completion: after expect and a name".to_string(),
        completion,
    );
    insta::assert_json_snapshot!("test_file_cross_file", answers);
}

#[test]
fn document_symbols_outline_the_policy() {
    let mut client = Client::start();
    let uri = file(POLICY);
    client.open(&uri, &read(POLICY));
    let outline = client.result(
        DocumentSymbolRequest::METHOD,
        json!({ "textDocument": { "uri": uri } }),
    );
    insta::assert_json_snapshot!("outline", outline);
}

#[test]
fn formatting_is_meed_fmt() {
    let mut client = Client::start();
    let uri = scratch("messy.meed");
    let messy = "reward   bonus : Money(EUR)\nrule r {\n on like l\n      grant bonus 1 EUR }\ncontribution like {}\n";
    client.open(&uri, messy);
    let params = json!({ "textDocument": { "uri": uri }, "options": { "tabSize": 2, "insertSpaces": true } });
    let edits = client.result(Formatting::METHOD, params.clone());
    insta::assert_json_snapshot!("formatting", edits);
    let source = meed::source::SourceFile::new("messy.meed", messy);
    assert_eq!(
        edits[0]["newText"].as_str().unwrap(),
        meed::fmt::format_source(&source).unwrap()
    );
    // A formatted file needs no edit; one that does not parse gets none.
    let formatted = edits[0]["newText"].as_str().unwrap().to_string();
    client.change(&uri, 2, &formatted);
    assert_eq!(client.result(Formatting::METHOD, params.clone()), json!([]));
    client.change(&uri, 3, "rule {");
    assert_eq!(client.result(Formatting::METHOD, params), json!([]));
}

#[test]
fn hover_shows_types_and_doc_comments() {
    let mut client = Client::start();
    let uri = file(POLICY);
    let text = read(POLICY);
    client.open(&uri, &text);
    let mut hovers = serde_json::Map::new();
    for (what, needle, nth, shift) in [
        ("field r.lines", "r.lines", 0, 3),
        ("binding r", "r.lines", 0, 0),
        ("roster column", "r.by.status", 0, 6),
        ("constant in an expression", "review_rate *", 0, 3),
        ("whole grant expression at +", "+ review_rate", 0, 0),
        ("reward in grant", "grant bonus", 0, 8),
        ("rule in limit from", "from review_bonus", 0, 7),
        ("kind in trigger", "on review r", 0, 4),
        ("field declaration", "lines: Int", 0, 1),
        ("reward declaration", "reward bonus", 0, 8),
    ] {
        let hover = client.at(HoverRequest::METHOD, &uri, pos(&text, needle, nth, shift));
        hovers.insert(what.to_string(), hover);
    }
    insta::assert_json_snapshot!("hovers", hovers);
}

#[test]
fn definition_and_references() {
    let mut client = Client::start();
    let uri = file(POLICY);
    let text = read(POLICY);
    client.open(&uri, &text);
    let mut answers = serde_json::Map::new();
    for (what, needle, shift) in [
        ("rule named in a limit's from", "from review_bonus", 7),
        ("field r.lines", "r.lines", 3),
        ("roster column r.by.status", "r.by.status", 6),
        ("constant", "review_rate *", 2),
        ("binding r", "r.lines", 0),
        ("kind in a given record", "review r1", 1),
        ("field in a given record", "lines: 100", 1),
        ("account in an expect", "ana bonus", 5),
    ] {
        let at = pos(&text, needle, 0, shift);
        let definition = client.at(GotoDefinition::METHOD, &uri, at);
        answers.insert(format!("definition: {what}"), definition);
    }
    for (what, needle, shift) in [
        ("reward bonus", "reward bonus", 8),
        ("field lines", "lines: Int", 1),
    ] {
        let params = json!({
            "textDocument": { "uri": uri },
            "position": pos(&text, needle, 0, shift),
            "context": { "includeDeclaration": true },
        });
        answers.insert(
            format!("references: {what}"),
            client.result(References::METHOD, params),
        );
    }
    insta::assert_json_snapshot!("navigation", answers);
}

#[test]
fn completion_in_context() {
    let mut client = Client::start();
    let uri = file(POLICY);
    let text = read(POLICY);
    client.open(&uri, &text);
    let labels = |value: &Value| -> Vec<String> {
        let items = value.as_array().cloned().unwrap_or_default();
        items
            .iter()
            .filter_map(|i| i["label"].as_str().map(str::to_string))
            .collect()
    };
    let mut answers = serde_json::Map::new();
    // (what, the text as edited, where the cursor is: after this text)
    for (what, edited, cursor) in [
        (
            "after r.by.",
            text.replacen("r.by.status", "r.by.", 1),
            "r.by.",
        ),
        (
            "after a number",
            text.replacen("5.00 EUR +", "5.00 +", 1),
            "5.00 ",
        ),
        (
            "start of a line",
            text.replacen("\nlimit", "\nli\nlimit", 1),
            "\nli",
        ),
        (
            "in an expression",
            text.replacen("2 pts", "2 pts + re", 1),
            "+ re",
        ),
        (
            "after grant",
            text.replacen("grant reputation 2", "grant re", 1),
            "grant re",
        ),
        (
            "in a limit's from",
            text.replacen("from review_bonus", "from re", 1),
            "from re",
        ),
        (
            "a clause of a rule",
            text.replacen("  grant reputation", "  \n  grant reputation", 1),
            "review r\n  \n  ",
        ),
        (
            "a clause of a test",
            text.replacen("  expect ana", "  ex\n  expect ana", 1),
            "  ex",
        ),
        (
            "a line of given",
            text.replacen("    person ana", "    pe\n    person ana", 1),
            "    pe",
        ),
        (
            "after per",
            text.replacen("per month", "per mo", 1),
            "per mo",
        ),
        (
            "a field's type",
            text.replacen("repo: Text", "repo: Te", 1),
            "repo: Te",
        ),
        (
            "after expect and a name",
            text.replacen("expect ana bonus", "expect ana bo", 1),
            "ana bo",
        ),
        (
            "aggregate of a kind",
            text.replacen("2 pts", "count(re", 1),
            "count(re",
        ),
    ] {
        client.change(&uri, 2, &edited);
        let items = client.at(Completion::METHOD, &uri, after(&edited, cursor));
        answers.insert(what.to_string(), json!(labels(&items)));
    }
    insta::assert_json_snapshot!("completion", answers);
}

#[test]
fn rename_a_rule_a_constant_and_a_reward() {
    let mut client = Client::start();
    let uri = file(POLICY);
    let text = read(POLICY);
    client.open(&uri, &text);
    let rename = |client: &mut Client, needle: &str, shift: usize, new_name: &str| {
        client.request(
            Rename::METHOD,
            json!({
                "textDocument": { "uri": uri },
                "position": pos(&text, needle, 0, shift),
                "newName": new_name,
            }),
        )
    };
    let mut answers = serde_json::Map::new();
    for (what, needle, shift, new_name) in [
        (
            "rule, from its use in a limit",
            "from review_bonus",
            7,
            "line_bonus",
        ),
        ("constant", "let review_rate", 5, "line_rate"),
        ("reward", "grant bonus", 8, "payout"),
        ("to a reserved word", "grant bonus", 8, "rule"),
        ("to a name in use", "grant bonus", 8, "reputation"),
        ("to an invalid name", "grant bonus", 8, "Payout"),
        ("a contribution kind", "on review r", 4, "code_review"),
    ] {
        let response = rename(&mut client, needle, shift, new_name);
        let answer = match response.response_result {
            Ok(result) => redact(result),
            Err(error) => json!({ "error": error.message }),
        };
        answers.insert(what.to_string(), answer);
    }
    insta::assert_json_snapshot!("rename", answers);
    // `prepareRename` gives the range of a name that can be renamed, and
    // refuses a kind (whose name is in the logs too).
    let prepare = |client: &mut Client, needle: &str, shift: usize| {
        client
            .request(
                "textDocument/prepareRename",
                json!({ "textDocument": { "uri": uri }, "position": pos(&text, needle, 0, shift) }),
            )
            .response_result
    };
    let range = prepare(&mut client, "from review_bonus", 7).unwrap();
    assert_eq!(range["start"], json!(pos(&text, "review_bonus", 1, 0)));
    assert_eq!(range["end"], json!(pos(&text, "review_bonus", 1, 12)));
    assert!(prepare(&mut client, "on review r", 4).is_err());
}

#[test]
fn bad_requests_get_errors_and_the_server_stays_up() {
    let mut client = Client::start();
    let unknown = client.request("meed/unknown", json!({}));
    assert!(unknown.response_result.is_err());
    let bad = client.request(HoverRequest::METHOD, json!({ "nonsense": true }));
    assert!(bad.response_result.is_err());
    // A document the server was never sent: no answer, no error.
    let hover = client.at(
        HoverRequest::METHOD,
        &scratch("nowhere.meed"),
        Position::new(0, 0),
    );
    assert_eq!(hover, Value::Null);
    // Positions far outside the text are clamped, never a crash.
    let uri = scratch("tiny.meed");
    client.open(&uri, "reward bonus: Money(EUR)\n");
    let hover = client.at(HoverRequest::METHOD, &uri, Position::new(99, 99));
    assert_eq!(hover, Value::Null);
    let hover = client.at(HoverRequest::METHOD, &uri, Position::new(0, 9));
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("Money(EUR)")
    );
}

/// `meed lsp` itself, over standard input and output: the framing, the
/// `--stdio` flag editors pass, and a clean exit after `shutdown` and `exit`.
#[test]
fn the_binary_serves_over_stdio() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let frame = |message: Value| {
        let body = message.to_string();
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    };
    let uri = scratch("stdio.meed");
    let input = [
        json!({ "jsonrpc": "2.0", "id": 1, "method": "initialize", "params": { "capabilities": {} } }),
        json!({ "jsonrpc": "2.0", "method": "initialized", "params": {} }),
        json!({ "jsonrpc": "2.0", "method": "textDocument/didOpen", "params": { "textDocument": {
            "uri": uri, "languageId": "meed", "version": 1, "text": "reward bonus: Money(EUR)\nlet x = 1 USD + bonus\n" } } }),
        json!({ "jsonrpc": "2.0", "id": 2, "method": "shutdown", "params": null }),
        json!({ "jsonrpc": "2.0", "method": "exit", "params": null }),
    ]
    .into_iter()
    .map(frame)
    .collect::<String>();
    let mut child = Command::new(env!("CARGO_BIN_EXE_meed"))
        .args(["lsp", "--stdio"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.contains(r#""serverInfo":{"name":"meed""#),
        "{stdout}"
    );
    assert!(
        stdout.contains("textDocument/publishDiagnostics"),
        "{stdout}"
    );
    assert!(stdout.contains("meed::unknown_name"), "{stdout}");
    assert!(stdout.contains(r#""id":2,"result":null"#), "{stdout}");
}

mod edits {
    //! Whatever the text and wherever the cursor, every request answers and
    //! none panics: the bundled policies with a piece cut out or random text
    //! typed in (what a file looks like mid-edit), every capability asked at
    //! random positions, including ones past the end and inside characters.

    use lsp_types::{Position, Url};
    use meed::lsp::analysis::Analysis;
    use meed::lsp::{completion, formatting, hover, navigation, rename, symbols};
    use proptest::prelude::*;

    fn policies() -> Vec<String> {
        [
            "community",
            "qa_reputation",
            "sales_commission",
            "oncall_timeoff",
            "volunteers",
        ]
        .iter()
        .map(|name| super::read(&format!("rules/{name}.meed")))
        .collect()
    }

    /// `text` with `cut` bytes removed at `at` and `typed` inserted there,
    /// on character boundaries.
    fn edit(text: &str, at: usize, cut: usize, typed: &str) -> String {
        let floor = |mut i: usize| {
            i = i.min(text.len());
            while !text.is_char_boundary(i) {
                i -= 1;
            }
            i
        };
        let start = floor(at);
        let end = floor(start + cut);
        format!("{}{typed}{}", &text[..start], &text[end..])
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn every_request_answers_on_any_edit(
            which in 0usize..5,
            at in 0usize..6000,
            cut in 0usize..80,
            typed in "[a-z_. {}()\":#0-9é😀\n-]{0,12}",
            positions in proptest::collection::vec((0u32..200, 0u32..90), 4),
        ) {
            let text = edit(&policies()[which], at, cut, &typed);
            let uri = Url::parse("file:///scratch/edited.meed").unwrap();
            let doc = Analysis::new(uri, text);
            let _ = symbols::outline(&doc);
            let _ = formatting::format(&doc);
            for (line, character) in positions {
                let position = Position::new(line, character);
                let _ = hover::hover(&doc, position);
                let _ = navigation::definition(&doc, position);
                let _ = navigation::references(&doc, position, true);
                let _ = completion::complete(&doc, position);
                let _ = rename::rename(&doc, position, "renamed");
                let _ = rename::prepare(&doc, position);
            }
        }
    }
}
