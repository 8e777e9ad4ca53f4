//! HTTP dates (RFC 9110 §5.6.7): IMF-fixdate out; IMF-fixdate, RFC 850 and
//! asctime in.

use alloc::string::String;
use core::fmt::Write;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Days since 1970-01-01 to (year, month 1–12, day 1–31); proleptic Gregorian.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Formats `t` as an IMF-fixdate, such as `Sun, 06 Nov 1994 08:49:37 GMT`.
/// Times before 1970 are written as the epoch.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// let t = UNIX_EPOCH + Duration::from_secs(784_111_777);
/// assert_eq!(http_codec::date::format_http_date(t), "Sun, 06 Nov 1994 08:49:37 GMT");
/// ```
pub fn format_http_date(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()) as i64;
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let mut s = String::with_capacity(29);
    let _ = write!(
        s,
        "{}, {:02} {} {:04} {:02}:{:02}:{:02} GMT",
        DAYS[days.rem_euclid(7) as usize],
        d,
        MONTHS[(m - 1) as usize],
        y,
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    );
    s
}

fn month(s: &str) -> Option<u32> {
    MONTHS.iter().position(|&m| m == s).map(|i| i as u32 + 1)
}

fn num(s: &str, len: usize) -> Option<u32> {
    (s.len() == len && s.bytes().all(|c| c.is_ascii_digit())).then(|| s.parse().ok())?
}

fn hms(s: &str) -> Option<(u32, u32, u32)> {
    let mut it = s.split(':');
    let (h, m, sec) = (
        num(it.next()?, 2)?,
        num(it.next()?, 2)?,
        num(it.next()?, 2)?,
    );
    (it.next().is_none() && h < 24 && m < 60 && sec <= 60).then_some((h, m, sec))
}

fn build(y: i64, mo: u32, d: u32, (h, mi, s): (u32, u32, u32)) -> Option<SystemTime> {
    if !(1..=31).contains(&d) || y < 1970 {
        return None;
    }
    let days = days_from_civil(y, mo, d);
    if civil_from_days(days) != (y, mo, d) {
        return None;
    }
    let secs = days * 86_400 + i64::from(h) * 3600 + i64::from(mi) * 60 + i64::from(s);
    Some(UNIX_EPOCH + Duration::from_secs(secs as u64))
}

/// Parses an HTTP date in any of the three formats RFC 9110 §5.6.7 says a
/// recipient must accept. Returns `None` for anything else.
///
/// ```
/// use http_codec::date::{format_http_date, parse_http_date};
/// for s in ["Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994"] {
///     assert_eq!(format_http_date(parse_http_date(s).unwrap()), "Sun, 06 Nov 1994 08:49:37 GMT");
/// }
/// assert_eq!(parse_http_date("yesterday"), None);
/// ```
pub fn parse_http_date(s: &str) -> Option<SystemTime> {
    let s = s.trim_matches(|c| c == ' ' || c == '\t');
    let parts: alloc::vec::Vec<&str> = s.split(' ').filter(|p| !p.is_empty()).collect();
    match parts.as_slice() {
        // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
        [wd, d, mo, y, t, "GMT"] if wd.ends_with(',') && wd.len() == 4 => {
            build(i64::from(num(y, 4)?), month(mo)?, num(d, 2)?, hms(t)?)
        }
        // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
        [wd, date, t, "GMT"] if wd.ends_with(',') => {
            let mut it = date.split('-');
            let (d, mo, y) = (num(it.next()?, 2)?, month(it.next()?)?, num(it.next()?, 2)?);
            // Two-digit years: RFC 9110 says to read ones more than 50 years
            // ahead as the past century.
            let y = if y < 70 { 2000 + y } else { 1900 + y };
            build(i64::from(y), mo, d, hms(t)?)
        }
        // asctime: Sun Nov  6 08:49:37 1994
        [wd, mo, d, t, y] if wd.len() == 3 => {
            let d: u32 = if d.len() <= 2 && d.bytes().all(|c| c.is_ascii_digit()) {
                d.parse().ok()?
            } else {
                return None;
            };
            build(i64::from(num(y, 4)?), month(mo)?, d, hms(t)?)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_over_centuries() {
        for secs in [
            0u64,
            951_782_400,
            4_107_542_400,
            1_700_000_000,
            253_402_300_799,
        ] {
            let t = UNIX_EPOCH + Duration::from_secs(secs);
            assert_eq!(parse_http_date(&format_http_date(t)), Some(t), "{secs}");
        }
    }

    #[test]
    fn rejects_impossible_dates() {
        assert_eq!(parse_http_date("Mon, 31 Feb 2000 00:00:00 GMT"), None);
        assert_eq!(parse_http_date("Mon, 01 Feb 2000 24:00:00 GMT"), None);
        assert_eq!(parse_http_date("Mon, 01 Feb 2000 00:00:00 UTC"), None);
    }
}
