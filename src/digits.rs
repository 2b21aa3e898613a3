//! Short texts of fixed-width numbers (`2027-01`, `01-05 10:00`), built on
//! the stack and written at once: a statement writes a time per grant and
//! a period per cut, and the formatting machinery's padding costs several
//! times the digits themselves.

use std::fmt;

/// Up to 24 ASCII bytes.
pub struct Digits {
    bytes: [u8; 24],
    len: usize,
}

impl Digits {
    pub fn new() -> Digits {
        Digits {
            bytes: [0; 24],
            len: 0,
        }
    }

    /// `number`'s last `places` digits, zeros in front.
    pub fn number(&mut self, number: u32, places: u32) -> &mut Digits {
        for place in (0..places).rev() {
            let digit = (number / 10u32.pow(place) % 10) as u8;
            self.byte(b'0' + digit);
        }
        self
    }

    /// One ASCII character (anything else is left out).
    pub fn byte(&mut self, byte: u8) -> &mut Digits {
        if byte.is_ascii()
            && let Some(slot) = self.bytes.get_mut(self.len)
        {
            *slot = byte;
            self.len += 1;
        }
        self
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII is ever put in.
        std::str::from_utf8(self.bytes.get(..self.len).unwrap_or_default()).unwrap_or_default()
    }
}

impl Default for Digits {
    fn default() -> Digits {
        Digits::new()
    }
}

impl fmt::Display for Digits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_numbers_padded_and_cut_to_their_places() {
        let mut d = Digits::new();
        d.number(2027, 4)
            .byte(b'-')
            .number(1, 2)
            .byte(b' ')
            .number(123, 2);
        assert_eq!(d.as_str(), "2027-01 23");
    }

    #[test]
    fn stops_at_its_capacity() {
        let mut d = Digits::new();
        for _ in 0..30 {
            d.byte(b'x');
        }
        assert_eq!(d.as_str().len(), 24);
    }
}
