//! The address a request came from, as sign-in throttling counts it.
//!
//! Behind a reverse proxy every request arrives from the proxy, so the client's own
//! address is taken from `X-Forwarded-For` — but only when the request came from a proxy
//! the deployer named (`TABEL_TRUSTED_PROXIES`): anyone else could write any address
//! there and escape the count.

use std::net::IpAddr;

/// Put into each request's extensions by the server; read by sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddress(pub IpAddr);

impl ClientAddress {
    /// The client of a request from `peer` carrying `forwarded_for` headers (in order).
    /// Walking the chain from the right, the first address that is not a trusted proxy
    /// is the client: addresses further left were written by the client itself.
    pub fn of_request<'a>(
        peer: IpAddr,
        forwarded_for: impl IntoIterator<Item = &'a str>,
        trusted_proxies: &[IpAddr],
    ) -> Self {
        if !trusted_proxies.contains(&peer) {
            return Self(peer);
        }
        let chain: Vec<&str> = forwarded_for
            .into_iter()
            .flat_map(|header| header.split(','))
            .map(str::trim)
            .collect();
        let mut client = peer;
        for hop in chain.iter().rev() {
            let Ok(address) = hop.parse::<IpAddr>() else {
                // Garbage in the chain: the last proxy we trust is all we know.
                break;
            };
            client = address;
            if !trusted_proxies.contains(&address) {
                break;
            }
        }
        Self(client)
    }
}

/// The client of the request a server function is answering (the unspecified address
/// if the server put none in: a request not from a socket, as in some tests).
pub fn of_current_request() -> ClientAddress {
    leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<ClientAddress>().copied())
        .unwrap_or(ClientAddress(std::net::Ipv6Addr::UNSPECIFIED.into()))
}

impl std::fmt::Display for ClientAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn a_direct_client_cannot_choose_its_address() {
        let got = ClientAddress::of_request(ip("203.0.113.7"), ["10.0.0.1"], &[ip("127.0.0.1")]);
        assert_eq!(got, ClientAddress(ip("203.0.113.7")));
        let got = ClientAddress::of_request(ip("203.0.113.7"), [], &[]);
        assert_eq!(got, ClientAddress(ip("203.0.113.7")));
    }

    #[test]
    fn behind_a_trusted_proxy_the_forwarded_client_counts() {
        let proxies = [ip("127.0.0.1"), ip("10.0.0.2")];
        // The client wrote a fake first hop; the proxies appended the real ones.
        let got = ClientAddress::of_request(
            ip("127.0.0.1"),
            ["1.2.3.4, 198.51.100.9", "10.0.0.2"],
            &proxies,
        );
        assert_eq!(got, ClientAddress(ip("198.51.100.9")));
        // IPv6 too.
        let got = ClientAddress::of_request(ip("127.0.0.1"), ["2001:db8::5"], &proxies);
        assert_eq!(got, ClientAddress(ip("2001:db8::5")));
    }

    #[test]
    fn a_garbled_chain_stops_at_the_last_trusted_hop() {
        let proxies = [ip("127.0.0.1"), ip("10.0.0.2")];
        let got = ClientAddress::of_request(ip("127.0.0.1"), ["junk, 10.0.0.2"], &proxies);
        assert_eq!(got, ClientAddress(ip("10.0.0.2")));
        let got = ClientAddress::of_request(ip("127.0.0.1"), [], &proxies);
        assert_eq!(got, ClientAddress(ip("127.0.0.1")));
    }
}
