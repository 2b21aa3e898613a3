//! How soon `meed lsp` publishes diagnostics after a change, on a large
//! policy: the delay an author feels between typing and seeing the squiggle.
//!
//! Generates a policy of about 2,000 lines, opens it in a server driven
//! over `Connection::memory()` (the same code as over stdio, without the
//! pipe), then sends 50 changes (a rate edited each time; every fifth
//! change also a type error and every tenth, instead, a syntax error, as
//! mid-edit, each fixed by the next change) and times each from sending
//! `didChange` to receiving `publishDiagnostics`. Reports the median, p95
//! and maximum over all changes, and the slowest change with a syntax
//! error (the slow path: the failed parse runs again with pest's error
//! detail, and the broken item is blanked out for a tree of the rest).
//!
//! Run with `cargo bench --bench lsp`. Target: p95 ≤ 50 ms on 2 cores.

use std::time::{Duration, Instant};

use lsp_server::{Connection, Message, Notification, Request, RequestId};
use serde_json::json;

const CHANGES: usize = 50;

/// A policy of roughly `target_lines` lines that checks clean.
fn generated_policy(target_lines: usize) -> String {
    let mut text = String::from("policy \"Generated\" {\n  timezone \"Europe/Berlin\"\n}\n\n");
    text.push_str("person {\n  status: one of \"employee\", \"volunteer\"\n}\n\n");
    text.push_str(
        "reward bonus: Money(EUR)\nreward reputation: Points\nreward time_off: Duration\n\n",
    );
    let mut n = 0;
    while text.lines().count() < target_lines {
        text.push_str(&format!(
            "# Contributions of the {n}th kind.\ncontribution kind{n} {{\n  lines: Int\n  repo: Text\n  duration: Duration\n  amount: Money(EUR)\n}}\n\n\
             let rate{n} = 0.0{d} EUR\n\n\
             rule money{n} {{\n  on kind{n} k\n  when k.lines >= {n} and k.repo == \"core\" and k.by.status != \"employee\"\n  grant bonus 5.00 EUR + rate{n} * k.lines\n}}\n\n\
             rule points{n} {{\n  on kind{n} k\n  grant reputation if k.lines > 100 then 6 pts else 1 pts + 2 pts\n}}\n\n\
             rule tiers{n} {{\n  on kind{n} k\n  grant bonus tiers k.amount {{\n    up to 500 EUR: 10%\n    up to 1000 EUR: 12%\n    above: 15%\n  }}\n}}\n\n\
             rule time{n} {{\n  each person per month\n  when sum(kind{n}.duration) >= 10h\n  grant time_off sum(kind{n} x where x.repo == \"core\": x.duration) * 0.5\n}}\n\n",
            d = n % 9 + 1
        ));
        n += 1;
    }
    text.push_str("limit bonus at most 300 EUR per person per month\n\n");
    text.push_str(
        "pool fund {\n  grant bonus 1000 EUR per quarter\n  split by total(reputation)\n}\n",
    );
    text
}

/// The text after change `i`: a rate edited; every tenth change also a
/// syntax error (`k.` being typed), every other fifth a grant in the
/// wrong currency.
fn changed(text: &str, i: usize) -> String {
    let edited = text.replacen("0.01 EUR", &format!("0.0{} EUR", i % 9 + 1), 1);
    if i % 10 == 9 {
        edited.replacen("when k.lines >= 45 ", "when k. >= 45 ", 1)
    } else if i % 5 == 4 {
        edited.replacen("grant bonus 5.00 EUR", "grant bonus 5.00 USD", 1)
    } else {
        edited
    }
}

fn send(client: &Connection, message: Message) {
    if client.sender.send(message).is_err() {
        eprintln!("the server stopped");
        std::process::exit(1);
    }
}

/// Waits for the next `publishDiagnostics` and returns how many it holds.
fn published(client: &Connection) -> usize {
    loop {
        match client.receiver.recv_timeout(Duration::from_secs(60)) {
            Ok(Message::Notification(n)) if n.method == "textDocument/publishDiagnostics" => {
                return n
                    .params
                    .get("diagnostics")
                    .and_then(|d| d.as_array())
                    .map_or(0, Vec::len);
            }
            Ok(_) => {}
            Err(_) => {
                eprintln!("no diagnostics within 60 s");
                std::process::exit(1);
            }
        }
    }
}

fn main() {
    let text = generated_policy(2_000);
    let lines = text.lines().count();
    let (server, client) = Connection::memory();
    let thread = std::thread::spawn(move || meed::lsp::serve(&server));
    let initialize = Request::new(
        RequestId::from(1),
        "initialize".to_string(),
        json!({ "capabilities": {} }),
    );
    send(&client, initialize.into());
    let _ = client.receiver.recv_timeout(Duration::from_secs(60));
    send(
        &client,
        Notification::new("initialized".to_string(), json!({})).into(),
    );
    let uri = "file:///bench/generated.meed";
    let open =
        json!({ "textDocument": { "uri": uri, "languageId": "meed", "version": 0, "text": text } });
    send(
        &client,
        Notification::new("textDocument/didOpen".to_string(), open).into(),
    );
    if published(&client) != 0 {
        eprintln!("the generated policy is not clean");
        std::process::exit(1);
    }
    let mut times: Vec<Duration> = Vec::with_capacity(CHANGES);
    let mut syntax_errors: Vec<Duration> = Vec::new();
    let mut errors = 0;
    for i in 0..CHANGES {
        let params = json!({
            "textDocument": { "uri": uri, "version": i + 1 },
            "contentChanges": [{ "text": changed(&text, i) }],
        });
        let start = Instant::now();
        send(
            &client,
            Notification::new("textDocument/didChange".to_string(), params).into(),
        );
        let count = published(&client);
        let elapsed = start.elapsed();
        times.push(elapsed);
        if i % 10 == 9 {
            syntax_errors.push(elapsed);
        }
        errors += usize::from(count > 0);
    }
    let shutdown = Request::new(RequestId::from(2), "shutdown".to_string(), json!(null));
    send(&client, shutdown.into());
    let _ = client.receiver.recv_timeout(Duration::from_secs(60));
    send(
        &client,
        Notification::new("exit".to_string(), json!(null)).into(),
    );
    let _ = thread.join();
    times.sort();
    let ms = |d: Option<&Duration>| d.map_or(0.0, |d| d.as_secs_f64() * 1e3);
    let p95 = (times.len() * 95).div_ceil(100).saturating_sub(1);
    println!(
        "lsp: {lines} lines, {} changes ({errors} with an error): diagnostics published after median {:.2} ms, p95 {:.2} ms, max {:.2} ms; slowest with a syntax error {:.2} ms",
        times.len(),
        ms(times.get(times.len() / 2)),
        ms(times.get(p95)),
        ms(times.last()),
        ms(syntax_errors.iter().max()),
    );
}
