//! Response-parser tests across module boundaries: splits at every byte,
//! several responses per connection, `close()`, limits, sticky errors.

use super::*;

/// An owned copy of a [`ResponseEvent`], adjacent `Data` merged.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Ev {
    Head(u16, String, u8, Vec<(String, String)>),
    Data(Vec<u8>),
    End(bool),
}

fn record(events: &mut Vec<Ev>, event: ResponseEvent<'_>, input: &[u8]) {
    match event {
        ResponseEvent::Head(h) => {
            events.push(Ev::Head(h.status, h.reason, h.minor_version, h.headers))
        }
        ResponseEvent::Data(d) => {
            assert!(!d.is_empty(), "empty Data event");
            // Zero copy: every Data slice points into the fed input.
            let (outer, inner) = (input.as_ptr_range(), d.as_ptr_range());
            assert!(
                outer.start <= inner.start && inner.end <= outer.end,
                "Data is not a sub-slice"
            );
            match events.last_mut() {
                Some(Ev::Data(last)) => last.extend_from_slice(d),
                _ => events.push(Ev::Data(d.to_vec())),
            }
        }
        ResponseEvent::End { keep_alive } => events.push(Ev::End(keep_alive)),
    }
}

/// Feeds `pieces` in order, then closes if `close`; stops at the first error.
fn run_on(
    parser: &mut ResponseParser,
    pieces: &[&[u8]],
    close: bool,
) -> (Vec<Ev>, Result<(), HttpError>) {
    let mut events = Vec::new();
    for piece in pieces {
        if let Err(e) = parser.feed(piece, &mut |ev| record(&mut events, ev, piece)) {
            return (events, Err(e));
        }
    }
    let result = if close {
        parser.close(&mut |ev| record(&mut events, ev, &[]))
    } else {
        Ok(())
    };
    (events, result)
}

fn run(pieces: &[&[u8]], close: bool) -> (Vec<Ev>, Result<(), HttpError>) {
    run_on(&mut ResponseParser::default(), pieces, close)
}

/// The whole input, every split in two, and one byte at a time.
fn splits(input: &[u8]) -> Vec<Vec<&[u8]>> {
    let mut all = vec![vec![input], input.chunks(1).collect()];
    for i in 0..=input.len() {
        let (a, b) = input.split_at(i);
        all.push(vec![a, b]);
    }
    all
}

/// Asserts every split of `input` gives `events` and `result`.
fn check(input: &[u8], close: bool, events: &[Ev], result: Result<(), HttpError>) {
    for pieces in splits(input) {
        let sizes: Vec<usize> = pieces.iter().map(|p| p.len()).collect();
        let (got, res) = run(&pieces, close);
        assert_eq!(got, events, "pieces {sizes:?}");
        assert_eq!(res, result, "pieces {sizes:?}");
    }
}

fn head(status: u16, reason: &str, minor: u8, headers: &[(&str, &str)]) -> Ev {
    let headers = headers
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    Ev::Head(status, reason.into(), minor, headers)
}

fn data(d: &[u8]) -> Ev {
    Ev::Data(d.to_vec())
}

#[test]
fn content_length_body_split_everywhere() {
    let input =
        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n\r\nhello world";
    let h = head(
        200,
        "OK",
        1,
        &[("Content-Type", "text/plain"), ("Content-Length", "11")],
    );
    check(
        input,
        false,
        &[h, data(b"hello world"), Ev::End(true)],
        Ok(()),
    );
}

#[test]
fn chunked_body_split_everywhere() {
    let input = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\
                  5\r\nhello\r\n1;ext=\"v\"\r\n \r\n5 ; a ; b=c\r\nworld\r\n\
                  0\r\nX-Trailer: yes\r\nX-Other: 1\r\n\r\n";
    let h = head(200, "OK", 1, &[("Transfer-Encoding", "chunked")]);
    check(
        input,
        false,
        &[h, data(b"hello world"), Ev::End(true)],
        Ok(()),
    );
}

#[test]
fn head_only_split_everywhere() {
    let input = b"HTTP/1.1 204 No Content\r\nA: 1\r\nb:  two words \r\nc:\r\n\r\n";
    let h = head(
        204,
        "No Content",
        1,
        &[("A", "1"), ("b", "two words"), ("c", "")],
    );
    check(input, false, &[h, Ev::End(true)], Ok(()));
    // Bare LF line ends, and empty lines before the status line.
    let input = b"\r\n\nHTTP/1.1 200 OK\nContent-Length: 0\n\n";
    check(
        input,
        false,
        &[
            head(200, "OK", 1, &[("Content-Length", "0")]),
            Ev::End(true),
        ],
        Ok(()),
    );
}

#[test]
fn data_is_streamed_in_pieces_without_buffering() {
    let mut parser = ResponseParser::default();
    let head = b"HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n";
    parser.feed(head, &mut |_| {}).unwrap();
    let block = [7u8; 10_000];
    for i in 0..100 {
        let mut events = Vec::new();
        parser
            .feed(&block, &mut |ev| {
                events.push(match ev {
                    // One Data per feed: the whole input, not a copy.
                    ResponseEvent::Data(d) => {
                        d.as_ptr() == block.as_ptr() && d.len() == block.len()
                    }
                    _ => false,
                })
            })
            .unwrap();
        let expected = if i == 99 {
            vec![true, false]
        } else {
            vec![true]
        };
        assert_eq!(events, expected, "feed {i}");
    }
    assert!(parser.is_idle());
}

#[test]
fn reason_phrase_kept() {
    let (ev, res) = run(
        &[b"HTTP/1.1 400 Unknown SID\r\nContent-Length: 0\r\n\r\n"],
        false,
    );
    assert_eq!(res, Ok(()));
    assert_eq!(
        ev[0],
        head(400, "Unknown SID", 1, &[("Content-Length", "0")])
    );
    let (ev, _) = run(&[b"HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n"], false);
    assert_eq!(ev[0], head(200, "", 1, &[("Content-Length", "0")]));
    let (ev, _) = run(&["HTTP/1.1 404 Non trouvé \t\r\n\r\n".as_bytes()], false);
    assert_eq!(ev[0], head(404, "Non trouvé \t", 1, &[]));
    let (ev, _) = run(&[b"HTTP/1.0 500 \xff\r\n\r\n"], false);
    assert_eq!(ev[0], head(500, "\u{fffd}", 0, &[]));
}

#[test]
fn header_lookup() {
    let mut got = None;
    let input = b"HTTP/1.1 200 OK\r\nSet-Cookie: a\r\nset-cookie: b\r\nContent-Length: 0\r\n\r\n";
    ResponseParser::default()
        .feed(input, &mut |ev| {
            if let ResponseEvent::Head(h) = ev {
                got = Some(h);
            }
        })
        .unwrap();
    let h = got.unwrap();
    assert_eq!(h.header("SET-COOKIE"), Some("a"));
    assert_eq!(h.header("content-length"), Some("0"));
    assert_eq!(h.header("missing"), None);
}

#[test]
fn informational_responses_skipped() {
    let input = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\n\
                  HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi";
    let h = head(200, "OK", 1, &[("Content-Length", "2")]);
    check(input, false, &[h, data(b"hi"), Ev::End(true)], Ok(()));
    // After an interim response the final one is still due.
    let mut parser = ResponseParser::default();
    assert_eq!(
        run_on(&mut parser, &[b"HTTP/1.1 100 Continue\r\n\r\n"], false),
        (vec![], Ok(()))
    );
    assert!(!parser.is_idle());
    assert_eq!(parser.close(&mut |_| {}), Err(HttpError::IncompleteHead));
}

#[test]
fn switching_protocols_rejected() {
    let input = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n";
    check(input, false, &[], Err(HttpError::UpgradeUnsupported));
}

#[test]
fn keep_alive_decisions() {
    let end = |input: &[u8]| run(&[input], true).0.last().cloned();
    assert_eq!(
        end(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"),
        Some(Ev::End(true))
    );
    let close = b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";
    assert_eq!(end(close), Some(Ev::End(false)));
    assert_eq!(
        end(b"HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n"),
        Some(Ev::End(false))
    );
    let ka10 = b"HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n";
    assert_eq!(end(ka10), Some(Ev::End(true)));
    let ambiguous =
        b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n";
    assert_eq!(end(ambiguous), Some(Ev::End(false)));
}

#[test]
fn several_responses_in_one_feed() {
    let input = b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc\
                  HTTP/1.1 204 No Content\r\n\r\n\
                  HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nde\r\n0\r\n\r\n\
                  \r\nHTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n\
                  HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nf";
    let events = vec![
        head(200, "OK", 1, &[("Content-Length", "3")]),
        data(b"abc"),
        Ev::End(true),
        head(204, "No Content", 1, &[]),
        Ev::End(true),
        head(200, "OK", 1, &[("Transfer-Encoding", "chunked")]),
        data(b"de"),
        Ev::End(true),
        head(304, "Not Modified", 1, &[("Content-Length", "99")]),
        Ev::End(true),
        head(200, "OK", 1, &[("Content-Length", "1")]),
        data(b"f"),
        Ev::End(true),
    ];
    check(input, true, &events, Ok(()));
}

#[test]
fn read_until_close() {
    let input = b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n<html>\r\n\r\n0\r\n";
    let events = [
        head(200, "OK", 0, &[("Content-Type", "text/html")]),
        data(b"<html>\r\n\r\n0\r\n"),
        Ev::End(false),
    ];
    check(input, true, &events, Ok(()));
    // Without close() there is no End yet.
    let (ev, res) = run(&[input], false);
    assert_eq!((ev.len(), res), (2, Ok(())));
    // An empty body that runs until close.
    let input = b"HTTP/1.1 200 OK\r\n\r\n";
    check(
        input,
        true,
        &[head(200, "OK", 1, &[]), Ev::End(false)],
        Ok(()),
    );
}

#[test]
fn close_when_idle_is_nothing() {
    let mut parser = ResponseParser::default();
    assert!(parser.is_idle());
    assert_eq!(run_on(&mut parser, &[], true), (vec![], Ok(())));
    let whole = b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx\r\n";
    let (ev, res) = run_on(&mut parser, &[whole], true);
    assert_eq!((ev.len(), res), (3, Ok(())));
    assert!(parser.is_idle());
}

#[test]
fn close_mid_head() {
    let input = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n";
    for cut in 1..input.len() {
        let (ev, res) = run(&[&input[..cut]], true);
        assert_eq!(
            (ev, res),
            (vec![], Err(HttpError::IncompleteHead)),
            "cut {cut}"
        );
    }
}

#[test]
fn close_mid_body() {
    let cl = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
    let head_len = cl.len() - 5;
    for cut in head_len..cl.len() {
        let (ev, res) = run(&[&cl[..cut]], true);
        assert_eq!(res, Err(HttpError::IncompleteBody), "cut {cut}");
        assert!(!ev.contains(&Ev::End(true)) && !ev.contains(&Ev::End(false)));
    }
    let chunked =
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x\r\nabc\r\n0\r\nT: 1\r\n\r\n";
    let head_len = chunked.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    for cut in head_len..chunked.len() {
        let (_, res) = run(&[&chunked[..cut]], true);
        assert_eq!(res, Err(HttpError::IncompleteBody), "cut {cut}");
    }
}

#[test]
fn framing_errors_come_before_head_event() {
    let bad_cl = b"HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\n";
    check(bad_cl, false, &[], Err(HttpError::BadContentLength));
    let gzip = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n";
    let err = HttpError::UnsupportedTransferEncoding("gzip, chunked".into());
    check(gzip, false, &[], Err(err));
}

#[test]
fn chunked_errors() {
    let prefix = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    let long_ext = [b"1;".as_slice(), &[b'a'; 2000]].concat();
    let cases: [(&[u8], HttpError); 5] = [
        (b"zz\r\n", HttpError::BadChunkSize),
        (b"10000000000000000\r\n", HttpError::ChunkSizeOverflow),
        (b"2\r\nabc\r\n", HttpError::MissingChunkCrlf),
        (b"0\r\n\rx", HttpError::MalformedTrailer),
        (&long_ext, HttpError::ChunkSizeLineTooLong { limit: 1024 }),
    ];
    for (body, err) in cases {
        let input = [prefix.as_slice(), body].concat();
        let (ev, res) = run(&[&input], false);
        assert_eq!(res, Err(err));
        assert_eq!(ev.len(), 1 + usize::from(body.starts_with(b"2")));
    }
}

#[test]
fn malformed_heads() {
    let cases: [&[u8]; 7] = [
        b"HTTP/2 200 OK\r\n\r\n",
        b"HTTP/1.1 2000 OK\r\n\r\n",
        b"HTTP/1.1 099 Low\r\n\r\n",
        b"ICY 200 OK\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nFolded: a\r\n b\r\n\r\n",
        b"\x00\x01\x02\n\n",
    ];
    for input in cases {
        let (ev, res) = run(&[input], false);
        assert!(ev.is_empty());
        assert!(
            matches!(res, Err(HttpError::MalformedHead(_))),
            "{input:?}: {res:?}"
        );
    }
}

#[test]
fn head_size_limit() {
    let limits = Limits {
        max_head_bytes: 64,
        ..Limits::default()
    };
    // A head of exactly 64 bytes (leading empty lines not counted) fits.
    let mut fits = b"\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\nX: ".to_vec();
    fits.resize(2 + 64 - 4, b'a');
    fits.extend_from_slice(b"\r\n\r\n");
    let (ev, res) = run_on(&mut ResponseParser::new(limits), &[&fits], false);
    assert_eq!((ev.len(), res), (2, Ok(())));
    // One more byte, fed whole or a byte at a time: the error comes at
    // the 65th byte, however much more input there is.
    let mut over = fits.clone();
    over.insert(10, b'a');
    over.extend_from_slice(&[b'b'; 100_000]);
    let (ev, res) = run_on(&mut ResponseParser::new(limits), &[&over], false);
    assert_eq!(
        (ev, res),
        (vec![], Err(HttpError::HeadTooLarge { limit: 64 }))
    );
    let mut parser = ResponseParser::new(limits);
    for (i, byte) in over.iter().enumerate() {
        let res = parser.feed(std::slice::from_ref(byte), &mut |_| panic!("no event"));
        if i < 2 + 64 {
            assert_eq!(res, Ok(()), "byte {i}");
        } else {
            assert_eq!(res, Err(HttpError::HeadTooLarge { limit: 64 }), "byte {i}");
            break;
        }
    }
    // A huge head without a blank line, in one feed.
    let junk = vec![b'x'; 1 << 20];
    let res = ResponseParser::default().feed(&junk, &mut |_| {});
    assert_eq!(res, Err(HttpError::HeadTooLarge { limit: 64 * 1024 }));
}

#[test]
fn header_count_limit() {
    let limits = Limits {
        max_headers: 3,
        ..Limits::default()
    };
    let three = b"HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nContent-Length: 0\r\n\r\n";
    let (ev, res) = run_on(&mut ResponseParser::new(limits), &[three], false);
    assert_eq!((ev.len(), res), (2, Ok(())));
    let four = b"HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nC: 3\r\nContent-Length: 0\r\n\r\n";
    let res = run_on(&mut ResponseParser::new(limits), &[four], false).1;
    assert_eq!(res, Err(HttpError::TooManyHeaders { limit: 3 }));
    let default = [
        b"HTTP/1.1 200 OK\r\n".as_slice(),
        &b"a:\r\n".repeat(101),
        b"\r\n",
    ]
    .concat();
    assert_eq!(
        run(&[&default], false).1,
        Err(HttpError::TooManyHeaders { limit: 100 })
    );
}

#[test]
fn chunk_limits() {
    let limits = Limits {
        max_chunk_size_line: 16,
        max_trailer_bytes: 32,
        ..Limits::default()
    };
    let prefix = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    let ext = [prefix.as_slice(), b"1;aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"].concat();
    let res = run_on(&mut ResponseParser::new(limits), &[&ext], false).1;
    assert_eq!(res, Err(HttpError::ChunkSizeLineTooLong { limit: 16 }));
    let trailer = [prefix.as_slice(), b"0\r\n", &b"T: 1\r\n".repeat(10)].concat();
    let res = run_on(&mut ResponseParser::new(limits), &[&trailer], false).1;
    assert_eq!(res, Err(HttpError::TrailersTooLarge { limit: 32 }));
}

#[test]
fn errors_are_sticky() {
    let mut parser = ResponseParser::default();
    let err = HttpError::BadContentLength;
    let bad = b"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n";
    assert_eq!(parser.feed(bad, &mut |_| {}), Err(err.clone()));
    assert!(!parser.is_idle());
    let good = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
    assert_eq!(
        parser.feed(good, &mut |_| panic!("event after error")),
        Err(err.clone())
    );
    assert_eq!(parser.feed(b"", &mut |_| {}), Err(err.clone()));
    assert_eq!(parser.close(&mut |_| {}), Err(err.clone()));
    // close() errors are sticky too.
    let mut parser = ResponseParser::default();
    parser.feed(b"HTTP/1.1 2", &mut |_| {}).unwrap();
    assert_eq!(parser.close(&mut |_| {}), Err(HttpError::IncompleteHead));
    assert_eq!(
        parser.feed(good, &mut |_| {}),
        Err(HttpError::IncompleteHead)
    );
}

#[test]
fn is_idle_tracks_progress() {
    let mut parser = ResponseParser::default();
    let input = b"\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nab";
    let mut idle = Vec::new();
    for byte in input {
        parser
            .feed(std::slice::from_ref(byte), &mut |_| {})
            .unwrap();
        idle.push(parser.is_idle());
    }
    // Leading empty lines leave it idle; then busy until the last byte.
    let expected: Vec<bool> = (0..input.len())
        .map(|i| i < 2 || i == input.len() - 1)
        .collect();
    assert_eq!(idle, expected);
}

/// A tiny deterministic generator (xorshift) for the garbage tests.
fn xorshift(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

#[test]
fn fuzz_hook_smoke() {
    let valid: [&[u8]; 4] = [
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloHTTP/1.1 204 No\r\n\r\n",
        b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\
          5;e\r\nhello\r\n0\r\nT: 1\r\n\r\n",
        b"HTTP/1.0 200 OK\r\n\r\nuntil close",
        b"HTTP/1.1 400 Unknown SID\r\nContent-Length: 100\r\n\r\nshort",
    ];
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    for input in valid {
        for control in [0u8, 3, 0x13, 0x1f] {
            let mut data = vec![control];
            data.extend((0..16).map(|i| (i * 7 + 1) as u8));
            data.extend_from_slice(input);
            fuzz_response_parser(&data);
        }
        // Mutations of valid input: flipped, dropped and duplicated bytes.
        for _ in 0..300 {
            let mut data = input.to_vec();
            for _ in 0..1 + xorshift(&mut state) % 4 {
                let at = (xorshift(&mut state) % data.len() as u64) as usize;
                match xorshift(&mut state) % 3 {
                    0 => data[at] = xorshift(&mut state) as u8,
                    1 => drop(data.remove(at)),
                    _ => data.insert(at, data[at]),
                }
            }
            let control = xorshift(&mut state) as u8;
            data.splice(
                0..0,
                [
                    control, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 0, 1, 1,
                ],
            );
            fuzz_response_parser(&data);
        }
    }
    // Plain garbage, and empty input.
    fuzz_response_parser(&[]);
    for len in [1usize, 10, 100, 10_000] {
        let data: Vec<u8> = (0..len).map(|_| xorshift(&mut state) as u8).collect();
        fuzz_response_parser(&data);
    }
}
