//! Record types, classes, opcodes and response codes.

use core::fmt;

macro_rules! code_type {
    (
        $(#[$meta:meta])* $name:ident($repr:ty), $unknown:literal,
        { $($(#[$cmeta:meta])* $konst:ident = $val:literal => $text:literal,)* }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub $repr);

        impl $name {
            $($(#[$cmeta])* pub const $konst: $name = $name($val);)*

            /// The mnemonic, if this code has one.
            pub fn mnemonic(self) -> Option<&'static str> {
                match self.0 {
                    $($val => Some($text),)*
                    _ => None,
                }
            }

            /// Looks a mnemonic up (ASCII case-insensitive).
            pub fn from_mnemonic(text: &str) -> Option<$name> {
                $(if text.eq_ignore_ascii_case($text) { return Some($name($val)); })*
                None
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self.mnemonic() {
                    Some(m) => f.write_str(m),
                    None => write!(f, concat!($unknown, "{}"), self.0),
                }
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(self, f)
            }
        }

        impl From<$repr> for $name {
            fn from(v: $repr) -> Self {
                $name(v)
            }
        }

        impl From<$name> for $repr {
            fn from(v: $name) -> Self {
                v.0
            }
        }
    };
}

code_type! {
    /// A resource record type (RFC 1035 section 3.2.2 and the IANA registry). Unknown
    /// types display as `TYPEnnn` (RFC 3597).
    Rtype(u16), "TYPE", {
        /// IPv4 address.
        A = 1 => "A",
        /// Authoritative name server.
        NS = 2 => "NS",
        /// Mail destination (obsolete).
        MD = 3 => "MD",
        /// Mail forwarder (obsolete).
        MF = 4 => "MF",
        /// Canonical name.
        CNAME = 5 => "CNAME",
        /// Start of authority.
        SOA = 6 => "SOA",
        /// Mailbox (experimental).
        MB = 7 => "MB",
        /// Mail group member (experimental).
        MG = 8 => "MG",
        /// Mail rename (experimental).
        MR = 9 => "MR",
        /// Domain name pointer.
        PTR = 12 => "PTR",
        /// Host information.
        HINFO = 13 => "HINFO",
        /// Mailbox information (experimental).
        MINFO = 14 => "MINFO",
        /// Mail exchange.
        MX = 15 => "MX",
        /// Text strings.
        TXT = 16 => "TXT",
        /// Responsible person.
        RP = 17 => "RP",
        /// AFS database.
        AFSDB = 18 => "AFSDB",
        /// Route through (RFC 1183).
        RT = 21 => "RT",
        /// Signature (RFC 2535; SIG(0), RFC 2931).
        SIG = 24 => "SIG",
        /// X.400 mail mapping (RFC 2163).
        PX = 26 => "PX",
        /// IPv6 address.
        AAAA = 28 => "AAAA",
        /// Location.
        LOC = 29 => "LOC",
        /// Next domain (RFC 2535, obsolete).
        NXT = 30 => "NXT",
        /// Service locator.
        SRV = 33 => "SRV",
        /// Naming authority pointer.
        NAPTR = 35 => "NAPTR",
        /// Key exchanger.
        KX = 36 => "KX",
        /// Certificate.
        CERT = 37 => "CERT",
        /// Delegation name.
        DNAME = 39 => "DNAME",
        /// EDNS(0) pseudo-record.
        OPT = 41 => "OPT",
        /// Delegation signer.
        DS = 43 => "DS",
        /// SSH key fingerprint.
        SSHFP = 44 => "SSHFP",
        /// DNSSEC signature.
        RRSIG = 46 => "RRSIG",
        /// Next secure record.
        NSEC = 47 => "NSEC",
        /// DNS public key.
        DNSKEY = 48 => "DNSKEY",
        /// DHCP identifier.
        DHCID = 49 => "DHCID",
        /// Hashed next secure record.
        NSEC3 = 50 => "NSEC3",
        /// NSEC3 parameters.
        NSEC3PARAM = 51 => "NSEC3PARAM",
        /// TLS certificate association.
        TLSA = 52 => "TLSA",
        /// OpenPGP public key (RFC 7929).
        OPENPGPKEY = 61 => "OPENPGPKEY",
        /// Child DS.
        CDS = 59 => "CDS",
        /// Child DNSKEY.
        CDNSKEY = 60 => "CDNSKEY",
        /// Zone message digest.
        ZONEMD = 63 => "ZONEMD",
        /// Sender policy (RFC 7208; TXT is preferred).
        SPF = 99 => "SPF",
        /// Service binding.
        SVCB = 64 => "SVCB",
        /// HTTPS service binding.
        HTTPS = 65 => "HTTPS",
        /// Transaction signature.
        TSIG = 250 => "TSIG",
        /// Zone transfer (query only).
        AXFR = 252 => "AXFR",
        /// Any type (query only).
        ANY = 255 => "ANY",
        /// Uniform resource identifier.
        URI = 256 => "URI",
        /// Certification authority authorization.
        CAA = 257 => "CAA",
    }
}

code_type! {
    /// A record class. Unknown classes display as `CLASSnnn` (RFC 3597).
    Class(u16), "CLASS", {
        /// The Internet.
        IN = 1 => "IN",
        /// Chaos.
        CH = 3 => "CH",
        /// Hesiod.
        HS = 4 => "HS",
        /// No class (RFC 2136 updates).
        NONE = 254 => "NONE",
        /// Any class (query only).
        ANY = 255 => "ANY",
    }
}

code_type! {
    /// A header opcode.
    Opcode(u8), "OPCODE", {
        /// Standard query.
        QUERY = 0 => "QUERY",
        /// Inverse query (obsolete).
        IQUERY = 1 => "IQUERY",
        /// Server status.
        STATUS = 2 => "STATUS",
        /// Zone change notification.
        NOTIFY = 4 => "NOTIFY",
        /// Dynamic update.
        UPDATE = 5 => "UPDATE",
    }
}

code_type! {
    /// A response code: 4 bits in the header, 12 with the EDNS extended bits.
    Rcode(u16), "RCODE", {
        /// No error.
        NOERROR = 0 => "NOERROR",
        /// Format error.
        FORMERR = 1 => "FORMERR",
        /// Server failure.
        SERVFAIL = 2 => "SERVFAIL",
        /// The name does not exist.
        NXDOMAIN = 3 => "NXDOMAIN",
        /// Not implemented.
        NOTIMP = 4 => "NOTIMP",
        /// Refused.
        REFUSED = 5 => "REFUSED",
        /// Name exists when it should not.
        YXDOMAIN = 6 => "YXDOMAIN",
        /// RRset exists when it should not.
        YXRRSET = 7 => "YXRRSET",
        /// RRset that should exist does not.
        NXRRSET = 8 => "NXRRSET",
        /// Not authoritative.
        NOTAUTH = 9 => "NOTAUTH",
        /// Name not in zone.
        NOTZONE = 10 => "NOTZONE",
        /// Bad EDNS version (extended).
        BADVERS = 16 => "BADVERS",
        /// Bad or missing server cookie (extended).
        BADCOOKIE = 23 => "BADCOOKIE",
    }
}

impl Rtype {
    /// True for the types whose RDATA names receivers decompress (RFC 3597 section 4:
    /// the RFC 1035 types and the later types listed there, plus DNAME).
    pub fn allows_compression(self) -> bool {
        matches!(
            self.0,
            2 | 3
                | 4
                | 5
                | 6
                | 7
                | 8
                | 9
                | 12
                | 14
                | 15
                | 17
                | 18
                | 21
                | 24
                | 26
                | 30
                | 33
                | 35
                | 39
        )
    }
}
