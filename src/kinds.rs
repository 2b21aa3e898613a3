//! One place per kind of diagnostic: `diagnostic_kinds!` declares an
//! enum of kinds where each entry holds everything about the kind — its
//! fields, its message, its stable code, whether it is an error or a
//! warning, and (when it does not depend on where the problem arose) its
//! help. The checker's, the evaluators' and the readers' kinds are all
//! declared with it, so adding one is one entry plus its test.

/// Declares an enum of diagnostic kinds with `code()`, `is_warning()` and
/// `help()`:
///
/// ```text
/// diagnostic_kinds! {
///     /// What can go wrong.
///     pub enum Kind {
///         #[error("there is no kind `{name}`")]
///         UnknownKind { name: String } => "meed::unknown_kind", error,
///             help K::UnknownKind { name } => format!("declare `{name}`");
///         #[error("nothing was paid")]
///         Unclaimed => "meed::unclaimed", warning;
///     }
/// }
/// ```
///
/// `K` names the enum in help patterns; a kind without `help` has none of
/// its own (its diagnostic brings one from where it arose).
macro_rules! diagnostic_kinds {
    (
        $(#[doc = $edoc:literal])*
        $vis:vis enum $kinds:ident {
            $(
                $(#[doc = $doc:literal])*
                #[error($($message:tt)*)]
                $name:ident $({ $($(#[doc = $fdoc:literal])* $field:ident: $fty:ty),* $(,)? })?
                    => $code:literal, $severity:ident
                    $(, help $pat:pat => $help:expr)?;
            )*
        }
    ) => {
        $(#[doc = $edoc])*
        #[derive(Clone, Debug, PartialEq, thiserror::Error)]
        $vis enum $kinds {
            $(
                $(#[doc = $doc])*
                #[error($($message)*)]
                $name $({ $($(#[doc = $fdoc])* $field: $fty),* })?,
            )*
        }

        impl $kinds {
            /// The stable code, as documented in `docs/errors.md`.
            pub fn code(&self) -> &'static str {
                match self {
                    $(Self::$name { .. } => $code,)*
                }
            }

            /// Warnings point at something worth a look; they stop nothing.
            pub fn is_warning(&self) -> bool {
                match self {
                    $(Self::$name { .. } => $crate::kinds::diagnostic_kinds!(@warning $severity),)*
                }
            }

            /// How to fix it, when that does not depend on where it arose.
            #[allow(unreachable_patterns)]
            pub fn help(&self) -> Option<String> {
                #[allow(unused_imports)]
                use $kinds as K;
                match self {
                    $($($pat => Some($help),)?)*
                    _ => None,
                }
            }
        }
    };
    (@warning error) => {
        false
    };
    (@warning warning) => {
        true
    };
}

pub(crate) use diagnostic_kinds;
