//! The documents the editor has open, each with its latest analysis.
//!
//! The editor owns the text of an open document (it may differ from the
//! file on disk); the server keeps the latest version it was sent. Sorted
//! by address, so whatever walks them does so in a stable order.

use std::collections::BTreeMap;

use lsp_types::Url;

use super::analysis::Analysis;

/// The open documents by address.
#[derive(Debug, Default)]
pub struct Documents {
    open: BTreeMap<Url, Analysis>,
}

impl Documents {
    /// Stores (and analyses) the text of `uri`, replacing an older version.
    pub fn set(&mut self, uri: Url, text: String) -> Option<&Analysis> {
        self.open
            .insert(uri.clone(), Analysis::new(uri.clone(), text));
        self.open.get(&uri)
    }

    pub fn get(&self, uri: &Url) -> Option<&Analysis> {
        self.open.get(uri)
    }

    pub fn close(&mut self, uri: &Url) {
        self.open.remove(uri);
    }

    /// Analyses every open document but `except` again (a test file reads
    /// the policy it imports from disk, so saving the policy changes it).
    pub fn refresh_others(&mut self, except: &Url) -> Vec<&Analysis> {
        let stale: Vec<(Url, String)> = self
            .open
            .iter()
            .filter(|(uri, _)| *uri != except)
            .map(|(uri, doc)| (uri.clone(), doc.source.text().to_string()))
            .collect();
        for (uri, text) in stale {
            self.open.insert(uri.clone(), Analysis::new(uri, text));
        }
        self.open
            .iter()
            .filter(|(uri, _)| *uri != except)
            .map(|(_, doc)| doc)
            .collect()
    }
}
