//! `:type`, `:set` and `:reset`: looking at and changing the session's policy.

use super::changes;
use crate::repl::ReplError;
use crate::repl::policy::{Edit, apply_edit, constant_names};
use crate::repl::session::{Reply, Session};
use crate::source::{SourceFile, Span, Spanned};
use crate::syntax::ast::ExprKind;
use crate::syntax::parser::parse_expr;
use crate::types::check::Checker;
use crate::types::suggest::nearest;

impl Session {
    /// `:type EXPR`
    pub(super) fn type_of(&self, expr: &str) -> Reply {
        if expr.is_empty() {
            return self.fail(&ReplError::usage(":type", ":type EXPR"));
        }
        match self.expression(expr) {
            (_, Some(ty)) => Reply::done(ty),
            (reply, None) => reply,
        }
    }

    /// `:set NAME = EXPR`: a new value for a constant, same type.
    pub(super) fn set(&mut self, args: &str) -> Reply {
        let Some((name, expr)) = args.split_once('=') else {
            return self.fail(&ReplError::usage(":set", ":set NAME = EXPR"));
        };
        let (name, expr) = (name.trim(), expr.trim());
        if name.is_empty() || expr.is_empty() {
            return self.fail(&ReplError::usage(":set", ":set NAME = EXPR"));
        }
        let names = constant_names(&self.current);
        if !names.contains(&name) {
            let suggestion = nearest(name, names.iter().copied());
            return self.fail(&ReplError::unknown_constant(name, suggestion.as_deref()));
        }
        let input = SourceFile::new("<input>", expr);
        let parsed = match parse_expr(&input) {
            Ok(parsed) => parsed,
            Err(error) => return self.fail(&error),
        };
        let mut checker = Checker::new(&self.current.source, &self.current.ast);
        let new_type = match checker.type_of_expr(&input, &parsed) {
            Ok(ty) => ty,
            Err(errors) => {
                return Reply::failed(
                    self.render_all(errors.iter().map(|e| e as &dyn miette::Diagnostic)),
                );
            }
        };
        let old_value = self.constant(name);
        let old_type = old_value.as_ref().map(|v| v.ty());
        let reference = Spanned::new(ExprKind::Name(name.to_string()), Span::default());
        let declared = checker.type_of_expr(&self.current.source, &reference).ok();
        if let Some(old) = declared.or(old_type)
            && old != new_type
            && !(old.is_text() && new_type.is_text())
        {
            return self.fail(&ReplError::constant_type(
                name,
                &old.to_string(),
                &new_type.to_string(),
                &input,
                parsed.span,
            ));
        }
        let edit = Edit::Set {
            name: name.to_string(),
            expr: expr.to_string(),
        };
        let Some(edited) = apply_edit(&self.current, &edit) else {
            return Reply::failed("internal error: the constant could not be changed");
        };
        match edited.policy {
            Ok(policy) => {
                self.current = policy;
                self.edits.push(edit);
                let now = self
                    .constant(name)
                    .map_or_else(|| expr.to_string(), |v| v.to_string());
                let was = old_value.map_or(String::new(), |v| format!(" (was {v})"));
                let hint = if self.log.is_some() {
                    "; `:diff` shows what it changes"
                } else {
                    ""
                };
                Reply::done(format!("{name} = {now}{was}{hint}"))
            }
            Err(problem) => Reply::failed(self.render_problem(&problem)),
        }
    }

    /// The current value of a constant.
    pub(super) fn constant(&self, name: &str) -> Option<crate::value::Value> {
        let reference = Spanned::new(ExprKind::Name(name.to_string()), Span::default());
        crate::eval::evaluate_expr(&self.current.ast, &self.current.schema, &reference).ok()
    }

    /// `:reset`
    pub(super) fn reset(&mut self) -> Reply {
        if self.edits.is_empty() {
            return Reply::done("no session changes to drop");
        }
        let described: Vec<String> = self.edits.iter().map(Edit::describe).collect();
        let text = format!(
            "dropped {}: {}",
            changes(self.edits.len()),
            described.join("; ")
        );
        self.edits.clear();
        self.current = self.base.clone();
        Reply::done(text)
    }
}
