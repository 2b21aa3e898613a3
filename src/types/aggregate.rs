//! Aggregates over a person's contributions in a period, in `each` rules
//! and a pool's `split by`: `count(review)`, `count(review r where r.lines > 10)`,
//! `sum(review.lines)`, `sum(review r where ...: r.lines)`, `min(review.lines else 0)`.

use crate::source::Span;
use crate::syntax::ast::{Aggregate, AggregateFn, Measure};
use crate::types::check::{Checker, Scope};
use crate::types::dims;
use crate::types::error::CheckErrorKind;
use crate::types::help::describe;
use crate::types::suggest::nearest;
use crate::units::Type;

impl Checker {
    pub(crate) fn aggregate_type(
        &mut self,
        agg: &Aggregate,
        span: Span,
        scope: &Scope,
    ) -> Option<Type> {
        let function = agg.function.node.name();
        if !scope.aggregates {
            let error = self
                .error(CheckErrorKind::AggregateOutsideEach { function }, span)
                .with_label("needs an `each` rule or a pool");
            self.push(error);
        }
        let kind = self.aggregate_kind(agg);
        let inner = match &agg.binding {
            Some(binding) => scope.with_binding(&binding.node, kind.clone().map(Type::Record)),
            None => scope.clone(),
        };
        if let Some(filter) = &agg.filter {
            self.condition(filter, "where", &inner);
        }
        let measure = self.measure_type(agg, kind.as_deref(), &inner);
        let fallback = agg
            .fallback
            .as_ref()
            .map(|f| (f.span, self.type_expr(f, scope)));
        if measure.is_none() && agg.function.node != AggregateFn::Count {
            let verb = if agg.function.node == AggregateFn::Sum {
                "add up"
            } else {
                "compare"
            };
            let error = self
                .error(CheckErrorKind::MissingMeasure { function, verb }, span)
                .with_label("no field named");
            self.push(error);
            return None;
        }
        match agg.function.node {
            AggregateFn::Count => {
                self.needless_fallback(function, fallback.map(|(s, _)| s));
                Some(Type::Int)
            }
            AggregateFn::Sum => {
                self.needless_fallback(function, fallback.map(|(s, _)| s));
                let (measure_span, ty) = measure?;
                let ty = ty?;
                if ty.is_number() || ty.is_quantity() {
                    Some(ty)
                } else {
                    self.bad_measure(function, &ty, measure_span)
                }
            }
            AggregateFn::Min | AggregateFn::Max => {
                let Some((fallback_span, fallback_ty)) = fallback else {
                    let error = self
                        .error(CheckErrorKind::MissingFallback { function }, span)
                        .with_label("no `else` value");
                    self.push(error);
                    return measure?.1;
                };
                let (measure_span, ty) = measure?;
                let ty = ty?;
                if !dims::is_ordered(&ty) {
                    return self.bad_measure(function, &ty, measure_span);
                }
                let fallback_ty = fallback_ty?;
                match dims::unify(&ty, &fallback_ty) {
                    Some(common) => Some(common),
                    None => {
                        let error = self
                            .error(
                                CheckErrorKind::FallbackType {
                                    expected: ty.clone(),
                                    found: fallback_ty.clone(),
                                },
                                fallback_span,
                            )
                            .with_label(format!("this is `{fallback_ty}`"))
                            .with_secondary(measure_span, format!("the values are `{ty}`"));
                        self.push(error);
                        None
                    }
                }
            }
        }
    }

    /// The aggregated kind, if declared (and marks it used).
    fn aggregate_kind(&mut self, agg: &Aggregate) -> Option<String> {
        let name = &agg.kind;
        if self.env.kind(&name.node).is_some() {
            self.used.kinds.insert(name.node.clone());
            return Some(name.node.clone());
        }
        let suggestion = nearest(&name.node, self.env.kind_names());
        let error = self
            .error(
                CheckErrorKind::UnknownKind {
                    name: name.node.clone(),
                    suggestion,
                },
                name.span,
            )
            .with_label("unknown contribution kind");
        self.push(error);
        None
    }

    /// What is summed or compared, with its span; `None` for `count`.
    fn measure_type(
        &mut self,
        agg: &Aggregate,
        kind: Option<&str>,
        inner: &Scope,
    ) -> Option<(Span, Option<Type>)> {
        match agg.measure.as_ref()? {
            Measure::Field(field) => {
                let ty = match kind {
                    Some(kind) => self.record_field(kind, field),
                    None => None,
                };
                Some((field.span, ty))
            }
            Measure::Expr(expr) => Some((expr.span, self.type_expr(expr, inner))),
        }
    }

    fn bad_measure(&mut self, function: &'static str, ty: &Type, span: Span) -> Option<Type> {
        let error = self
            .error(
                CheckErrorKind::AggregateMeasure {
                    function,
                    ty: ty.clone(),
                },
                span,
            )
            .with_label(format!("this is {}", describe(ty)));
        self.push(error);
        None
    }

    fn needless_fallback(&mut self, function: &'static str, span: Option<Span>) {
        if let Some(span) = span {
            let error = self
                .error(CheckErrorKind::NeedlessFallback { function }, span)
                .with_label("never used");
            self.push(error);
        }
    }
}
