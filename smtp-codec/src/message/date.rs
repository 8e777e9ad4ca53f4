//! RFC 5322 §3.3 date-time, with the obsolete forms of §4.3.

use alloc::string::String;
use core::fmt;

use super::builder::BuildError;
use super::lexer::{Kind, Token, ValueError, lex};

/// A date and time as a header writes it: the local time and its offset
/// from UTC.
///
/// Parsing checks that each field is in range (the day for its month and
/// year); the day of the week, optional in RFC 5322, is not kept and not
/// checked against the date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DateTime {
    /// The year, 1900 to 9999 (RFC 5322 §3.3; two- and three-digit
    /// obsolete years are mapped as §4.3 says).
    pub year: u16,
    /// The month, 1 to 12.
    pub month: u8,
    /// The day of the month, from 1.
    pub day: u8,
    /// The hour, 0 to 23.
    pub hour: u8,
    /// The minute, 0 to 59.
    pub minute: u8,
    /// The second, 0 to 60 (a leap second); 0 when the field omits it.
    pub second: u8,
    /// Minutes east of UTC (`-0330` is -210). Obsolete zone names map to
    /// their offsets (`EST` is -300); military letters and unknown
    /// alphabetic zones to 0, as RFC 5322 §4.3 says to treat them as
    /// `-0000`.
    pub offset_minutes: i16,
}

const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
/// The largest offset a zone can write (`+9959`).
const MAX_OFFSET: i16 = 99 * 60 + 59;
/// 1900-01-01T00:00:00Z and 9999-12-31T23:59:59Z.
const MIN_UNIX: i64 = -2_208_988_800;
const MAX_UNIX: i64 = 253_402_300_799;

fn is_leap(y: i64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

fn days_in_month(y: i64, m: u8) -> u8 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// (year, month, day) of a count of days since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

impl DateTime {
    /// Seconds since 1970-01-01T00:00:00Z (a leap second counts as the
    /// first second of the next minute).
    pub fn to_unix(&self) -> i64 {
        let days = days_from_civil(
            i64::from(self.year),
            i64::from(self.month),
            i64::from(self.day),
        );
        days * 86_400
            + i64::from(self.hour) * 3600
            + i64::from(self.minute) * 60
            + i64::from(self.second)
            - i64::from(self.offset_minutes) * 60
    }

    /// The local time `offset_minutes` east of UTC at `unix_seconds`.
    /// Fails unless the local year is 1900 to 9999 and the offset fits a
    /// zone (±99:59).
    ///
    /// ```
    /// use smtp_codec::message::DateTime;
    ///
    /// let t = DateTime::from_unix(1_795_341_600, -300)?;
    /// assert_eq!((t.year, t.month, t.day, t.hour), (2026, 11, 22, 5));
    /// assert_eq!(t.to_unix(), 1_795_341_600);
    /// assert_eq!(t.to_string(), "Sun, 22 Nov 2026 05:00:00 -0500");
    /// # Ok::<(), smtp_codec::message::BuildError>(())
    /// ```
    pub fn from_unix(unix_seconds: i64, offset_minutes: i16) -> Result<Self, BuildError> {
        if !(-MAX_OFFSET..=MAX_OFFSET).contains(&offset_minutes) {
            return Err(BuildError::DateOutOfRange);
        }
        let local = unix_seconds
            .checked_add(i64::from(offset_minutes) * 60)
            .filter(|t| (MIN_UNIX..=MAX_UNIX).contains(t))
            .ok_or(BuildError::DateOutOfRange)?;
        let (y, m, d) = civil_from_days(local.div_euclid(86_400));
        let secs = local.rem_euclid(86_400);
        Ok(DateTime {
            year: y as u16,
            month: m as u8,
            day: d as u8,
            hour: (secs / 3600) as u8,
            minute: (secs / 60 % 60) as u8,
            second: (secs % 60) as u8,
            offset_minutes,
        })
    }

    /// Whether every field is in range, as [`parse_date`] and the builder
    /// require.
    pub fn is_valid(&self) -> bool {
        (1900..=9999).contains(&self.year)
            && (1..=12).contains(&self.month)
            && (1..=days_in_month(i64::from(self.year), self.month)).contains(&self.day)
            && self.hour < 24
            && self.minute < 60
            && self.second <= 60
            && (-MAX_OFFSET..=MAX_OFFSET).contains(&self.offset_minutes)
    }
}

/// The RFC 5322 form, `Sun, 22 Nov 2026 10:00:00 +0000`.
impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = days_from_civil(
            i64::from(self.year),
            i64::from(self.month),
            i64::from(self.day),
        );
        let weekday = DAYS[(days + 4).rem_euclid(7) as usize];
        let month = MONTHS
            .get(usize::from(self.month.wrapping_sub(1)))
            .copied()
            .unwrap_or("???");
        let sign = if self.offset_minutes < 0 { '-' } else { '+' };
        let offset = self.offset_minutes.unsigned_abs();
        write!(
            f,
            "{weekday}, {:02} {month} {:04} {:02}:{:02}:{:02} {sign}{:02}{:02}",
            self.day,
            self.year,
            self.hour,
            self.minute,
            self.second,
            offset / 60,
            offset % 60
        )
    }
}

/// Formats a caller-supplied time for a Date field: `unix_seconds` shown
/// `offset_minutes` east of UTC, as `Sun, 22 Nov 2026 10:00:00 +0000`.
///
/// ```
/// use smtp_codec::message::format_date;
///
/// assert_eq!(format_date(1_795_341_600, 0)?, "Sun, 22 Nov 2026 10:00:00 +0000");
/// assert_eq!(format_date(1_795_341_600, 330)?, "Sun, 22 Nov 2026 15:30:00 +0530");
/// # Ok::<(), smtp_codec::message::BuildError>(())
/// ```
pub fn format_date(unix_seconds: i64, offset_minutes: i16) -> Result<String, BuildError> {
    Ok(alloc::format!(
        "{}",
        DateTime::from_unix(unix_seconds, offset_minutes)?
    ))
}

fn digits(s: &str, min: usize, max: usize) -> Option<u32> {
    if s.len() < min || s.len() > max || !s.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn zone_name(s: &str) -> Option<i16> {
    let hours = match s.to_ascii_uppercase().as_str() {
        "UT" | "GMT" | "Z" => 0,
        "EDT" => -4,
        "EST" | "CDT" => -5,
        "CST" | "MDT" => -6,
        "MST" | "PDT" => -7,
        "PST" => -8,
        // Military zones and other alphabetic names: "-0000" (RFC 5322
        // §4.3), unknown local time in UTC.
        _ if (1..=5).contains(&s.len()) && s.bytes().all(|c| c.is_ascii_alphabetic()) => 0,
        _ => return None,
    };
    Some(hours * 60)
}

/// Parses a date-time (the value of Date, Resent-Date): `[day-of-week ","]
/// day month year hour ":" minute [":" second] zone`, comments and folding
/// anywhere between the tokens. Accepts the obsolete forms of RFC 5322
/// §4.3: two- and three-digit years, zone names (`GMT`, `EST`...),
/// military and unknown alphabetic zones (read as `-0000`).
///
/// ```
/// use smtp_codec::message::parse_date;
///
/// let d = parse_date(b" Thu,\r\n 13 Feb 1969 23:32 -0330 (Newfoundland Time)")?;
/// assert_eq!((d.year, d.month, d.day, d.hour, d.minute, d.second), (1969, 2, 13, 23, 32, 0));
/// assert_eq!(d.offset_minutes, -210);
/// assert_eq!(parse_date(b"21 Nov 97 09:55:06 GMT")?.year, 1997);
/// assert!(parse_date(b"Tue, 30 Feb 2026 10:00:00 +0000").is_err());
/// # Ok::<(), smtp_codec::message::ValueError>(())
/// ```
pub fn parse_date(raw: &[u8]) -> Result<DateTime, ValueError> {
    let toks = lex(raw, false)?;
    let toks: alloc::vec::Vec<&Token> = toks
        .iter()
        .filter(|t| !matches!(t.kind, Kind::Comment(_)))
        .collect();
    let mut i = 0;
    let fail = |i: usize| ValueError::InvalidDate {
        offset: toks.get(i).map_or(raw.len(), |t| t.start),
    };
    let text = |i: usize| -> Option<&str> {
        let t = toks.get(i)?;
        if t.kind != Kind::Atom {
            return None;
        }
        core::str::from_utf8(raw.get(t.start..t.end)?).ok()
    };
    let special = |i: usize, c: u8| toks.get(i).is_some_and(|t| t.is_special(c));

    // [day-of-week ","]
    if special(i + 1, b',') {
        let name = text(i).ok_or(fail(i))?;
        if !DAYS.iter().any(|d| d.eq_ignore_ascii_case(name)) {
            return Err(fail(i));
        }
        i += 2;
    }
    let day = text(i).and_then(|s| digits(s, 1, 2)).ok_or(fail(i))?;
    i += 1;
    let month = text(i)
        .and_then(|s| MONTHS.iter().position(|m| m.eq_ignore_ascii_case(s)))
        .ok_or(fail(i))? as u8
        + 1;
    i += 1;
    let year_text = text(i).ok_or(fail(i))?;
    let year = digits(year_text, 2, 4).ok_or(fail(i))?;
    let year = match year_text.len() {
        2 if year < 50 => year + 2000,
        2 | 3 => year + 1900,
        _ => year,
    };
    i += 1;
    let hour = text(i).and_then(|s| digits(s, 2, 2)).ok_or(fail(i))?;
    i += 1;
    if !special(i, b':') {
        return Err(fail(i));
    }
    i += 1;
    let minute = text(i).and_then(|s| digits(s, 2, 2)).ok_or(fail(i))?;
    i += 1;
    let mut second = 0;
    if special(i, b':') {
        i += 1;
        second = text(i).and_then(|s| digits(s, 2, 2)).ok_or(fail(i))?;
        i += 1;
    }
    let zone = text(i).ok_or(fail(i))?;
    let offset_minutes = match zone.as_bytes() {
        [sign @ (b'+' | b'-'), rest @ ..] => {
            let hhmm = core::str::from_utf8(rest)
                .ok()
                .and_then(|s| digits(s, 4, 4))
                .ok_or(fail(i))?;
            let (h, m) = (hhmm / 100, hhmm % 100);
            if m > 59 {
                return Err(fail(i));
            }
            let minutes = (h * 60 + m) as i16;
            if *sign == b'-' { -minutes } else { minutes }
        }
        _ => zone_name(zone).ok_or(fail(i))?,
    };
    i += 1;
    if i != toks.len() {
        return Err(fail(i));
    }
    let dt = DateTime {
        year: year as u16,
        month,
        day: day as u8,
        hour: hour as u8,
        minute: minute as u8,
        second: second as u8,
        offset_minutes,
    };
    if !dt.is_valid() {
        return Err(ValueError::InvalidDate {
            offset: toks.first().map_or(0, |t| t.start),
        });
    }
    Ok(dt)
}
