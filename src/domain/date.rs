//! Partial ISO 8601 calendar dates: `2010`, `2010-12`, `2010-12-19`.
//!
//! Testimony often knows only the year or the month of an event, so a date may
//! be partial; but what is given must be a real calendar date (no 2011-02-30).

use std::fmt;

/// A date with year, and optionally month and day, checked against the calendar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct PartialDate {
    pub year: u16,
    pub month: Option<u8>,
    pub day: Option<u8>,
}

impl PartialDate {
    /// Parses `YYYY`, `YYYY-MM` or `YYYY-MM-DD`; anything else is refused with a reason.
    pub fn parse(s: &str) -> Result<Self, String> {
        let bad = || format!("'{s}' is not a date: use YYYY, YYYY-MM or YYYY-MM-DD");
        let parts: Vec<&str> = s.split('-').collect();
        if parts.is_empty() || parts.len() > 3 {
            return Err(bad());
        }
        let number = |p: &str, len: usize| -> Result<u16, String> {
            if p.len() != len || !p.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            p.parse::<u16>().map_err(|_| bad())
        };
        let year = number(parts[0], 4)?;
        if year == 0 {
            return Err(format!("'{s}' is not a date: year 0000 does not exist"));
        }
        let month = match parts.get(1) {
            Some(p) => {
                let m = number(p, 2)?;
                if !(1..=12).contains(&m) {
                    return Err(format!("'{s}' is not a date: there is no month {m}"));
                }
                Some(m as u8)
            }
            None => None,
        };
        let day = match (parts.get(2), month) {
            (Some(p), Some(m)) => {
                let d = number(p, 2)?;
                let last = days_in_month(year, m);
                if d == 0 || d > u16::from(last) {
                    return Err(format!("'{s}' is not a date: {year:04}-{m:02} has {last} days"));
                }
                Some(d as u8)
            }
            _ => None,
        };
        Ok(PartialDate { year, month, day })
    }
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => 29,
        _ => 28,
    }
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.year)?;
        if let Some(m) = self.month {
            write!(f, "-{m:02}")?;
        }
        if let Some(d) = self.day {
            write!(f, "-{d:02}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_partial_and_full_dates() {
        for s in ["2010", "2010-12", "2010-12-19", "2012-02-29", "2000-02-29"] {
            assert_eq!(PartialDate::parse(s).unwrap().to_string(), s);
        }
    }

    #[test]
    fn refuses_impossible_or_malformed_dates() {
        for s in [
            "",
            "10",
            "2010-1",
            "2010-13",
            "2010-00",
            "2011-02-29",
            "1900-02-29",
            "2010-04-31",
            "2010-12-19T10:00",
            "20101219",
            "2010-12-1",
            "0000",
            "２０１０",
            "2010-12-19-1",
        ] {
            assert!(PartialDate::parse(s).is_err(), "{s} accepted");
        }
    }

    proptest::proptest! {
        #[test]
        fn display_round_trips(y in 1u16..=9999, m in 1u8..=12, d in 1u8..=28) {
            let date = PartialDate { year: y, month: Some(m), day: Some(d) };
            proptest::prop_assert_eq!(PartialDate::parse(&date.to_string()).unwrap(), date);
        }
    }
}
