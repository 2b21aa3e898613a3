//! Warnings about declarations nothing uses: a kind no rule reads, a
//! constant never referenced, a badge never awarded, an account never granted.
//!
//! A kind declared with an empty body (`contribution like {}`) is not
//! reported: its only job is to let the log hold such records. Nor is a
//! declaration that an unknown name was suggested to be (`award mentr`
//! already says "did you mean `mentor`?"; "`mentor` is never awarded" would
//! repeat it).

use std::collections::BTreeSet;

use crate::types::check::Checker;
use crate::types::error::CheckErrorKind;

impl Checker {
    /// Names that "did you mean" already pointed at, per namespace.
    fn suggested(&self) -> [BTreeSet<String>; 4] {
        let mut sets: [BTreeSet<String>; 4] = Default::default();
        for error in &self.out {
            let (slot, suggestion) = match &error.kind {
                CheckErrorKind::UnknownKind { suggestion, .. } => (0, suggestion),
                CheckErrorKind::UnknownName { suggestion, .. } => (1, suggestion),
                CheckErrorKind::UnknownBadge { suggestion, .. } => (2, suggestion),
                CheckErrorKind::UnknownReward { suggestion, .. } => (3, suggestion),
                _ => continue,
            };
            if let (Some(set), Some(name)) = (sets.get_mut(slot), suggestion) {
                set.insert(name.clone());
            }
        }
        sets
    }

    pub(crate) fn warn_unused(&mut self) {
        let [kinds, constants, badges, rewards] = self.suggested();
        let mut found = Vec::new();
        for kind in &self.env.kinds {
            let used = self.used.kinds.contains(&kind.name.node) || kinds.contains(&kind.name.node);
            if !kind.empty && !used {
                found.push((
                    CheckErrorKind::UnusedKind {
                        name: kind.name.node.clone(),
                    },
                    kind.name.span,
                ));
            }
        }
        for constant in &self.env.constants {
            if !self.used.constants.contains(&constant.name.node)
                && !constants.contains(&constant.name.node)
            {
                found.push((
                    CheckErrorKind::UnusedConstant {
                        name: constant.name.node.clone(),
                    },
                    constant.name.span,
                ));
            }
        }
        for badge in &self.env.badges {
            if !self.used.badges.contains(&badge.node) && !badges.contains(&badge.node) {
                found.push((
                    CheckErrorKind::UnusedBadge {
                        name: badge.node.clone(),
                    },
                    badge.span,
                ));
            }
        }
        for reward in &self.env.rewards {
            if !self.used.rewards.contains(&reward.name.node)
                && !rewards.contains(&reward.name.node)
            {
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
