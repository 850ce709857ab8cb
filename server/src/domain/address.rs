//! Client addresses: which ones per-address rates apply to, and those rates.
use std::net::IpAddr;

/// New sessions from one public address in 10 minutes that count as a high rate.
pub const IP_SESSIONS_PER_10MIN: u32 = 50;
/// Requests from one public address in a minute that count as a high rate.
pub const IP_REQUESTS_PER_MIN: u32 = 300;

/// Public addresses only: loopback, private, link-local, unspecified and shared (CGNAT)
/// ranges are exempt from per-IP rates (proxies, NAT, tests).
pub fn rate_limited_address(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || (o[0] == 100 && (64..128).contains(&o[1])))
        }
        IpAddr::V6(v6) => {
            let seg = v6.segments();
            !(v6.is_loopback()
                || v6.is_unspecified()
                || (seg[0] & 0xfe00) == 0xfc00
                || (seg[0] & 0xffc0) == 0xfe80)
        }
    }
}
