//! Warnings about declarations nothing uses: a kind no rule reads, a
//! constant never referenced, a badge never awarded, an account never granted.
//!
//! A kind declared with an empty body (`contribution like {}`) is not
//! reported: its only job is to let the log hold such records.

use crate::types::check::Checker;
use crate::types::error::CheckErrorKind;

impl Checker {
    pub(crate) fn warn_unused(&mut self) {
        let mut found = Vec::new();
        for kind in &self.env.kinds {
            if !kind.empty && !self.used.kinds.contains(&kind.name.node) {
                found.push((
                    CheckErrorKind::UnusedKind {
                        name: kind.name.node.clone(),
                    },
                    kind.name.span,
                ));
            }
        }
        for constant in &self.env.constants {
            if !self.used.constants.contains(&constant.name.node) {
                found.push((
                    CheckErrorKind::UnusedConstant {
                        name: constant.name.node.clone(),
                    },
                    constant.name.span,
                ));
            }
        }
        for badge in &self.env.badges {
            if !self.used.badges.contains(&badge.node) {
                found.push((
                    CheckErrorKind::UnusedBadge {
                        name: badge.node.clone(),
                    },
                    badge.span,
                ));
            }
        }
        for reward in &self.env.rewards {
            if !self.used.rewards.contains(&reward.name.node) {
                found.push((
                    CheckErrorKind::UnusedReward {
                        name: reward.name.node.clone(),
                    },
                    reward.name.span,
                ));
            }
        }
        for (kind, span) in found {
            let error = self
                .error(kind, span)
                .with_label("declared here, never used");
            self.push(error);
        }
    }
}
