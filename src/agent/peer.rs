//! Who is at the other end of a loopback TCP connection. A unix socket
//! tells its peer's uid (`SO_PEERCRED`); TCP does not, but on loopback the
//! peer's socket is this machine's, and the kernel tells its owner when
//! asked for that one socket by its addresses (sock_diag over netlink, what
//! `ss` uses: one exact answer, where `/proc/net/tcp` is read in pieces and
//! can miss a socket while a flood changes it). The ECS endpoint uses it to
//! drop another user's connections at once, so that a flood of them cannot
//! crowd out the token holder's.

use std::net::{IpAddr, SocketAddr};
use std::os::fd::AsRawFd;

use nix::sys::socket::{
    recv, sendto, setsockopt, socket, sockopt, AddressFamily, MsgFlags, NetlinkAddr, SockFlag,
    SockProtocol, SockType,
};
use nix::sys::time::TimeVal;

/// Who is at the other end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Peer {
    /// A live socket of this uid.
    User(u32),
    /// No live socket: it was closed before it was accepted (the kernel
    /// keeps a closed one as uid 0, which says nothing).
    Gone,
    /// Nothing to tell by (no sock_diag here).
    Unknown,
}

const SOCK_DIAG_BY_FAMILY: u16 = 20;
const NLMSG_ERROR: u16 = 2;
const NLM_F_REQUEST: u16 = 1;
const IPPROTO_TCP: u8 = 6;
/// TCP states of a socket that may still read an answer: established, or
/// closed for sending after its request (FIN_WAIT1, FIN_WAIT2). Only an
/// open socket counts (one with an inode): a socket whose program closed
/// it lingers in these states too, listed as uid 0.
const LIVE: [u8; 3] = [1, 4, 5];

/// Who owns the socket at `peer`, connected to `local` (this end).
pub fn of(peer: SocketAddr, local: SocketAddr) -> Peer {
    // An IPv6 socket may have connected to 127.0.0.1 as ::ffff:127.0.0.1.
    let mut answers = [AddressFamily::Inet, AddressFamily::Inet6]
        .into_iter()
        .map(|family| ask(family, peer, local));
    let mut unknown = true;
    for answer in answers.by_ref() {
        match answer {
            Some(Peer::User(uid)) => return Peer::User(uid),
            Some(Peer::Gone) => unknown = false,
            Some(Peer::Unknown) | None => {}
        }
    }
    match unknown {
        true => Peer::Unknown,
        false => Peer::Gone,
    }
}

/// One sock_diag question: the socket of `family` at `peer` connected to
/// `local`. `None` when the kernel could not be asked.
fn ask(family: AddressFamily, peer: SocketAddr, local: SocketAddr) -> Option<Peer> {
    let fd = socket(
        AddressFamily::Netlink,
        SockType::Datagram,
        SockFlag::SOCK_CLOEXEC,
        SockProtocol::NetlinkSockDiag,
    )
    .ok()?;
    // The kernel answers at once; the agent's loop is never held up waiting.
    setsockopt(&fd, sockopt::ReceiveTimeout, &TimeVal::new(0, 200_000)).ok()?;
    let request = request(family, peer, local)?;
    sendto(
        fd.as_raw_fd(),
        &request,
        &NetlinkAddr::new(0, 0),
        MsgFlags::empty(),
    )
    .ok()?;
    let mut answer = [0u8; 512];
    let n = recv(fd.as_raw_fd(), &mut answer, MsgFlags::empty()).ok()?;
    Some(parse(&answer[..n]))
}

/// `nlmsghdr` + `inet_diag_req_v2` asking for the one socket whose own end
/// is `peer` and whose other end is `local`.
fn request(family: AddressFamily, peer: SocketAddr, local: SocketAddr) -> Option<Vec<u8>> {
    let address = |a: SocketAddr| -> Option<[u8; 16]> {
        let mut out = [0u8; 16];
        match (family, a.ip()) {
            (AddressFamily::Inet, IpAddr::V4(v4)) => out[..4].copy_from_slice(&v4.octets()),
            (AddressFamily::Inet6, IpAddr::V4(v4)) => out = v4.to_ipv6_mapped().octets(),
            (AddressFamily::Inet6, IpAddr::V6(v6)) => out = v6.octets(),
            _ => return None,
        }
        Some(out)
    };
    let mut msg = Vec::with_capacity(72);
    msg.extend_from_slice(&72u32.to_ne_bytes());
    msg.extend_from_slice(&SOCK_DIAG_BY_FAMILY.to_ne_bytes());
    msg.extend_from_slice(&NLM_F_REQUEST.to_ne_bytes());
    msg.extend_from_slice(&1u32.to_ne_bytes()); // sequence
    msg.extend_from_slice(&0u32.to_ne_bytes()); // to the kernel
    msg.push(family as u8);
    msg.push(IPPROTO_TCP);
    msg.extend_from_slice(&[0, 0]); // no extensions, padding
    msg.extend_from_slice(&u32::MAX.to_ne_bytes()); // any state
    msg.extend_from_slice(&peer.port().to_be_bytes());
    msg.extend_from_slice(&local.port().to_be_bytes());
    msg.extend_from_slice(&address(peer)?);
    msg.extend_from_slice(&address(local)?);
    msg.extend_from_slice(&0u32.to_ne_bytes()); // any interface
    msg.extend_from_slice(&[0xff; 8]); // no cookie
    Some(msg)
}

/// The kernel's answer: an `inet_diag_msg` (its state, its uid), or an
/// error (no such socket).
fn parse(answer: &[u8]) -> Peer {
    let u16_at = |at: usize| {
        answer
            .get(at..at + 2)
            .and_then(|b| b.try_into().ok())
            .map(u16::from_ne_bytes)
    };
    let u32_at = |at: usize| {
        answer
            .get(at..at + 4)
            .and_then(|b| b.try_into().ok())
            .map(u32::from_ne_bytes)
    };
    match u16_at(4) {
        Some(SOCK_DIAG_BY_FAMILY) => {
            // After the 16-byte header: family, state, timer, retransmits,
            // the 48-byte id, expires, rqueue, wqueue, the uid, the inode.
            let state = answer.get(17).copied();
            match (state, u32_at(16 + 64), u32_at(16 + 68)) {
                (Some(state), Some(uid), Some(inode)) if LIVE.contains(&state) && inode != 0 => {
                    Peer::User(uid)
                }
                _ => Peer::Gone,
            }
        }
        Some(NLMSG_ERROR) => Peer::Gone,
        _ => Peer::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_live_loopback_connection_is_this_users() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let client = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server, peer) = listener.accept().unwrap();
        assert_eq!(peer, client.local_addr().unwrap());
        let me = nix::unistd::getuid().as_raw();
        let local = server.local_addr().unwrap();
        assert_eq!(of(peer, local), Peer::User(me));

        // Closed for sending after its request: it may still read.
        client.shutdown(std::net::Shutdown::Write).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(50));
        assert_eq!(of(peer, local), Peer::User(me));
        // Closed by its program while this end is open (an orphan in
        // FIN_WAIT2, listed as uid 0 without an inode): gone.
        drop(client);
        std::thread::sleep(std::time::Duration::from_millis(50));
        assert_eq!(of(peer, local), Peer::Gone);
        // Closed at both ends (TIME_WAIT): gone, whatever uid a closed
        // socket is listed with.
        drop(server);
        std::thread::sleep(std::time::Duration::from_millis(50));
        assert_eq!(of(peer, local), Peer::Gone);
        // No such socket at all.
        let nowhere: SocketAddr = "127.0.0.1:9".parse().unwrap();
        assert_eq!(of(nowhere, local), Peer::Gone);
    }
}
