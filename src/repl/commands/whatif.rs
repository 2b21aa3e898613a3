//! `:type`, `:set` and `:reset`: looking at and changing the session's policy.

use super::changes;
use crate::repl::ReplError;
use crate::repl::policy::{Edit, apply_edit, constant_names, declaration_span};
use crate::repl::session::{Reply, Session};
use crate::source::{SourceFile, Span, Spanned};
use crate::syntax::ast::ExprKind;
use crate::syntax::ast::Item;
use crate::syntax::parser::parse_expr;
use crate::syntax::parser::parse_policy;
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
        let reference = Spanned::new(ExprKind::Name(name.to_string()), Span::NOWHERE);
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

    /// `:drop NAME`: a rule, pool or constant taken out for this session.
    pub(super) fn drop_declaration(&mut self, name: &str) -> Reply {
        if name.is_empty() {
            return self.fail(&ReplError::usage(":drop", ":drop NAME"));
        }
        if declaration_span(&self.current, name).is_none() {
            return self.fail(&ReplError::nothing_to_change(
                "drop",
                name,
                self.nearest_declaration(name).as_deref(),
            ));
        }
        self.apply(Edit::Drop(name.to_string()), format!("dropped `{name}`"))
    }

    /// `:replace DECLARATION`: the rule, pool or constant of the same name
    /// replaced, so that a what-if does not pay twice.
    pub(super) fn replace(&mut self, text: &str) -> Reply {
        if text.is_empty() {
            return self.fail(&ReplError::usage(":replace", ":replace DECLARATION"));
        }
        let input = SourceFile::new("<input>", text);
        let parsed = match parse_policy(&input) {
            Ok(parsed) => parsed,
            Err(error) => return self.fail(&error),
        };
        let names: Vec<&str> = parsed
            .items
            .iter()
            .filter_map(|item| match item {
                Item::Rule(r) => Some(r.name.node.as_str()),
                Item::Pool(p) => Some(p.name.node.as_str()),
                Item::Let(l) => Some(l.name.node.as_str()),
                _ => None,
            })
            .collect();
        let Some(missing) = names
            .iter()
            .find(|n| declaration_span(&self.current, n).is_none())
            .or(names.is_empty().then_some(&""))
        else {
            let what = names
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ");
            return self.apply(Edit::Replace(text.to_string()), format!("replaced {what}"));
        };
        self.fail(&ReplError::nothing_to_change(
            "replace",
            missing,
            self.nearest_declaration(missing).as_deref(),
        ))
    }

    /// Applies a change and says so, or shows why the policy would not
    /// check with it.
    fn apply(&mut self, edit: Edit, done: String) -> Reply {
        let Some(edited) = apply_edit(&self.current, &edit) else {
            return Reply::failed("internal error: the change could not be made");
        };
        match edited.policy {
            Ok(policy) => {
                self.current = policy;
                self.edits.push(edit);
                let hint = if self.log.is_some() {
                    "; `:diff` shows what it changes"
                } else {
                    ""
                };
                Reply::done(format!("{done}{hint}"))
            }
            Err(problem) => Reply::failed(self.render_problem(&problem)),
        }
    }

    /// The rule, pool or constant whose name is closest to `name`.
    fn nearest_declaration(&self, name: &str) -> Option<String> {
        let names = self.current.ast.items.iter().filter_map(|item| match item {
            Item::Rule(r) => Some(r.name.node.as_str()),
            Item::Pool(p) => Some(p.name.node.as_str()),
            Item::Let(l) => Some(l.name.node.as_str()),
            _ => None,
        });
        nearest(name, names)
    }

    /// The current value of a constant.
    pub(super) fn constant(&self, name: &str) -> Option<crate::value::Value> {
        let reference = Spanned::new(ExprKind::Name(name.to_string()), Span::NOWHERE);
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
