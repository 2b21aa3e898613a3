//! The message loop: `initialize`, then each request answered and each
//! notification handled in the order they arrive, until `shutdown`.
//!
//! No request can bring the server down: a request the server cannot
//! answer (unknown method, bad parameters, a document it was not sent)
//! gets an error response or an empty result, and the loop goes on.
//!
//! A change that a later change to the same document replaces, with no
//! request between them, is skipped: while a large file is being typed
//! into, the server analyses the text it has been sent last, not every
//! keystroke in turn.

use std::collections::VecDeque;

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument, Exit,
    Notification as _, PublishDiagnostics,
};
use lsp_types::request::{
    Completion, DocumentSymbolRequest, Formatting, GotoDefinition, HoverRequest,
    PrepareRenameRequest, References, Rename, Request as _, Shutdown,
};
use lsp_types::{
    CompletionOptions, DocumentSymbolResponse, GotoDefinitionResponse, OneOf,
    PublishDiagnosticsParams, ServerCapabilities, TextDocumentSyncCapability, TextDocumentSyncKind,
    Url,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::analysis::Analysis;
use super::documents::Documents;
use super::error::LspError;
use super::{completion, formatting, hover, navigation, rename, symbols};

/// What the server can do, announced in its answer to `initialize`.
pub fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        // The whole text on every change: a policy is small, and a full
        // text can never drift from the editor's.
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        hover_provider: Some(lsp_types::HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        document_formatting_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Right(lsp_types::RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: lsp_types::WorkDoneProgressOptions::default(),
        })),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![".".to_string()]),
            ..CompletionOptions::default()
        }),
        ..ServerCapabilities::default()
    }
}

/// Serves one client on `connection` until it says `shutdown` and `exit`.
pub fn serve(connection: &Connection) -> Result<(), LspError> {
    let (id, _params) = connection.initialize_start()?;
    let initialized = serde_json::json!({
        "capabilities": capabilities(),
        "serverInfo": { "name": "meed", "version": env!("CARGO_PKG_VERSION") },
    });
    connection.initialize_finish(id, initialized)?;
    let mut server = Server {
        connection,
        documents: Documents::default(),
    };
    let mut queue: VecDeque<Message> = VecDeque::new();
    while let Some(message) = queue
        .pop_front()
        .or_else(|| connection.receiver.recv().ok())
    {
        // Whatever the editor has sent meanwhile: a change that a later
        // one replaces (the whole text is sent each time) is not analysed,
        // so a burst of keystrokes costs one analysis, not one each.
        queue.extend(connection.receiver.try_iter());
        if superseded(&message, &queue) {
            continue;
        }
        match message {
            Message::Request(request) if request.method == Shutdown::METHOD => {
                server.send(Response::new_ok(request.id, ()).into())?;
                return server.await_exit(queue);
            }
            Message::Request(request) => {
                let response = server.request(request);
                server.send(response.into())?;
            }
            Message::Notification(notification) => server.notification(notification)?,
            // The server sends no requests, so expects no responses.
            Message::Response(_) => {}
        }
    }
    Ok(())
}

/// Whether `message` is a change to a document that a later change (or
/// its closing) in `queue` replaces before any request could read it (a
/// request after it, such as a completion, is about this very version).
fn superseded(message: &Message, queue: &VecDeque<Message>) -> bool {
    let Some(uri) = changed_document(message) else {
        return false;
    };
    for later in queue {
        match later {
            Message::Request(_) => return false,
            Message::Notification(n)
                if n.method == DidCloseTextDocument::METHOD && document_of(n) == Some(uri) =>
            {
                return true;
            }
            _ if changed_document(later) == Some(uri) => return true,
            _ => {}
        }
    }
    false
}

/// The address of the document a `didChange` changes.
fn changed_document(message: &Message) -> Option<&str> {
    match message {
        Message::Notification(n) if n.method == DidChangeTextDocument::METHOD => document_of(n),
        _ => None,
    }
}

fn document_of(notification: &Notification) -> Option<&str> {
    notification
        .params
        .get("textDocument")?
        .get("uri")?
        .as_str()
}

struct Server<'c> {
    connection: &'c Connection,
    documents: Documents,
}

impl Server<'_> {
    fn send(&self, message: Message) -> Result<(), LspError> {
        self.connection
            .sender
            .send(message)
            .map_err(|_| LspError::Closed)
    }

    /// After `shutdown`, waits for `exit`; any request meanwhile is refused,
    /// as the protocol says.
    fn await_exit(&self, mut queue: VecDeque<Message>) -> Result<(), LspError> {
        loop {
            let message = match queue.pop_front() {
                Some(message) => message,
                None => match self.connection.receiver.recv() {
                    Ok(message) => message,
                    // The editor went away without `exit`: nothing to serve.
                    Err(_) => return Ok(()),
                },
            };
            match message {
                Message::Notification(n) if n.method == Exit::METHOD => return Ok(()),
                Message::Request(request) => self.send(
                    Response::new_err(
                        request.id,
                        ErrorCode::InvalidRequest as i32,
                        "the server is shutting down".to_string(),
                    )
                    .into(),
                )?,
                Message::Notification(_) | Message::Response(_) => {}
            }
        }
    }

    fn request(&self, request: Request) -> Response {
        match request.method.as_str() {
            HoverRequest::METHOD => self.answer::<HoverRequest>(request, |doc, p| {
                hover::hover(doc, p.text_document_position_params.position)
            }),
            GotoDefinition::METHOD => self.answer::<GotoDefinition>(request, |doc, p| {
                navigation::definition(doc, p.text_document_position_params.position)
                    .map(GotoDefinitionResponse::Scalar)
            }),
            References::METHOD => self.answer::<References>(request, |doc, p| {
                Some(navigation::references(
                    doc,
                    p.text_document_position.position,
                    p.context.include_declaration,
                ))
            }),
            DocumentSymbolRequest::METHOD => self
                .answer::<DocumentSymbolRequest>(request, |doc, _| {
                    Some(DocumentSymbolResponse::Nested(symbols::outline(doc)))
                }),
            Formatting::METHOD => {
                self.answer::<Formatting>(request, |doc, _| Some(formatting::format(doc)))
            }
            Completion::METHOD => self.answer::<Completion>(request, |doc, p| {
                Some(completion::complete(doc, p.text_document_position.position).into())
            }),
            Rename::METHOD => self.rename(request),
            PrepareRenameRequest::METHOD => self.prepare_rename(request),
            method => Response::new_err(
                request.id,
                ErrorCode::MethodNotFound as i32,
                format!("meed lsp does not answer `{method}`"),
            ),
        }
    }

    /// Answers a request about one open document with `f`; `null` for a
    /// document the server was not sent.
    fn answer<R>(
        &self,
        request: Request,
        f: impl FnOnce(&Analysis, R::Params) -> R::Result,
    ) -> Response
    where
        R: lsp_types::request::Request,
        R::Params: DeserializeOwned + HasDocument,
        R::Result: Serialize,
    {
        let id = request.id.clone();
        match params::<R::Params>(request) {
            Ok(params) => match self.documents.get(params.document()) {
                Some(doc) => Response::new_ok(id, f(doc, params)),
                None => Response::new_ok(id, serde_json::Value::Null),
            },
            Err(response) => response,
        }
    }

    fn rename(&self, request: Request) -> Response {
        let id = request.id.clone();
        let params = match params::<lsp_types::RenameParams>(request) {
            Ok(params) => params,
            Err(response) => return response,
        };
        let position = &params.text_document_position;
        let Some(doc) = self.documents.get(&position.text_document.uri) else {
            return Response::new_ok(id, serde_json::Value::Null);
        };
        match rename::rename(doc, position.position, &params.new_name) {
            Ok(edit) => Response::new_ok(id, edit),
            Err(message) => Response::new_err(id, ErrorCode::InvalidRequest as i32, message),
        }
    }

    fn prepare_rename(&self, request: Request) -> Response {
        let id = request.id.clone();
        let params = match params::<lsp_types::TextDocumentPositionParams>(request) {
            Ok(params) => params,
            Err(response) => return response,
        };
        let Some(doc) = self.documents.get(&params.text_document.uri) else {
            return Response::new_ok(id, serde_json::Value::Null);
        };
        match rename::prepare(doc, params.position) {
            Ok(range) => Response::new_ok(id, lsp_types::PrepareRenameResponse::Range(range)),
            Err(message) => Response::new_err(id, ErrorCode::InvalidRequest as i32, message),
        }
    }

    fn notification(&mut self, notification: Notification) -> Result<(), LspError> {
        match notification.method.as_str() {
            DidOpenTextDocument::METHOD => {
                if let Ok(p) = notification
                    .extract::<lsp_types::DidOpenTextDocumentParams>(DidOpenTextDocument::METHOD)
                {
                    let doc = p.text_document;
                    self.update(doc.uri, doc.text, Some(doc.version))?;
                }
            }
            DidChangeTextDocument::METHOD => {
                if let Ok(p) = notification.extract::<lsp_types::DidChangeTextDocumentParams>(
                    DidChangeTextDocument::METHOD,
                ) && let Some(change) = p.content_changes.into_iter().last()
                {
                    // Full sync: the last change holds the whole text.
                    let doc = p.text_document;
                    self.update(doc.uri, change.text, Some(doc.version))?;
                }
            }
            DidSaveTextDocument::METHOD => {
                if let Ok(p) = notification
                    .extract::<lsp_types::DidSaveTextDocumentParams>(DidSaveTextDocument::METHOD)
                {
                    let others: Vec<(Url, Vec<lsp_types::Diagnostic>)> = self
                        .documents
                        .refresh_others(&p.text_document.uri)
                        .into_iter()
                        .map(|doc| (doc.uri.clone(), doc.diagnostics.clone()))
                        .collect();
                    for (uri, diagnostics) in others {
                        self.publish(uri, diagnostics, None)?;
                    }
                }
            }
            DidCloseTextDocument::METHOD => {
                if let Ok(p) = notification
                    .extract::<lsp_types::DidCloseTextDocumentParams>(DidCloseTextDocument::METHOD)
                {
                    self.documents.close(&p.text_document.uri);
                    self.publish(p.text_document.uri, Vec::new(), None)?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Stores the new text, analyses it and publishes its diagnostics.
    fn update(&mut self, uri: Url, text: String, version: Option<i32>) -> Result<(), LspError> {
        let diagnostics = self
            .documents
            .set(uri.clone(), text)
            .map(|doc| doc.diagnostics.clone())
            .unwrap_or_default();
        self.publish(uri, diagnostics, version)
    }

    fn publish(
        &self,
        uri: Url,
        diagnostics: Vec<lsp_types::Diagnostic>,
        version: Option<i32>,
    ) -> Result<(), LspError> {
        let params = PublishDiagnosticsParams::new(uri, diagnostics, version);
        self.send(Notification::new(PublishDiagnostics::METHOD.to_string(), params).into())
    }
}

/// The parameters of `request`, or the error response for bad ones.
fn params<P: DeserializeOwned>(request: Request) -> Result<P, Response> {
    serde_json::from_value(request.params).map_err(|e| {
        Response::new_err(
            request.id,
            ErrorCode::InvalidParams as i32,
            format!("invalid parameters for `{}`: {e}", request.method),
        )
    })
}

/// The document a request is about.
trait HasDocument {
    fn document(&self) -> &Url;
}

impl HasDocument for lsp_types::HoverParams {
    fn document(&self) -> &Url {
        &self.text_document_position_params.text_document.uri
    }
}

impl HasDocument for lsp_types::GotoDefinitionParams {
    fn document(&self) -> &Url {
        &self.text_document_position_params.text_document.uri
    }
}

impl HasDocument for lsp_types::ReferenceParams {
    fn document(&self) -> &Url {
        &self.text_document_position.text_document.uri
    }
}

impl HasDocument for lsp_types::DocumentSymbolParams {
    fn document(&self) -> &Url {
        &self.text_document.uri
    }
}

impl HasDocument for lsp_types::DocumentFormattingParams {
    fn document(&self) -> &Url {
        &self.text_document.uri
    }
}

impl HasDocument for lsp_types::CompletionParams {
    fn document(&self) -> &Url {
        &self.text_document_position.text_document.uri
    }
}
