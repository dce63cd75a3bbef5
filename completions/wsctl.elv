
use builtin;
use str;

set edit:completion:arg-completer[wsctl] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'wsctl'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'wsctl'= {
            cand --color 'Colour status lines on stderr (auto: when stderr is a terminal and NO_COLOR is unset)'
            cand --events 'How status lines and events are written on stderr'
            cand --hex-dump 'Write what each connection sends (>) and receives (<) to FILE (- for stderr), as `hexdump -C` shows it; WebSocket and UDP a block per message; under TLS the plaintext'
            cand -v 'Show more on stderr (repeat for more detail)'
            cand --verbose 'Show more on stderr (repeat for more detail)'
            cand -q 'Show only errors on stderr'
            cand --quiet 'Show only errors on stderr'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand tcp 'TCP client and server'
            cand ws 'WebSocket client and server (RFC 6455)'
            cand udp 'UDP: datagrams to and from stdin/stdout'
            cand unix 'Unix domain sockets: streams, and datagrams with --dgram'
            cand completions 'Print a completion script for SHELL on stdout'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'wsctl;tcp'= {
            cand --color 'Colour status lines on stderr (auto: when stderr is a terminal and NO_COLOR is unset)'
            cand --events 'How status lines and events are written on stderr'
            cand --hex-dump 'Write what each connection sends (>) and receives (<) to FILE (- for stderr), as `hexdump -C` shows it; WebSocket and UDP a block per message; under TLS the plaintext'
            cand -v 'Show more on stderr (repeat for more detail)'
            cand --verbose 'Show more on stderr (repeat for more detail)'
            cand -q 'Show only errors on stderr'
            cand --quiet 'Show only errors on stderr'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand connect 'Connect to HOST PORT (or HOST:PORT, [IPv6]:PORT) and pipe stdin/stdout through it'
            cand listen 'Listen on [HOST:]PORT and pipe an accepted connection through stdin/stdout'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'wsctl;tcp;connect'= {
            cand -s 'Bind the local end to ADDR (one of this machine''s addresses) before connecting (over UDP, sending), as `ncat -s`'
            cand --source 'Bind the local end to ADDR (one of this machine''s addresses) before connecting (over UDP, sending), as `ncat -s`'
            cand --source-port 'Bind the local end to PORT before connecting (over UDP, sending), as `ncat -p`'
            cand -e 'Run CMD through `sh -c` for each connection, wired to its stdin/stdout'
            cand --exec 'Run CMD through `sh -c` for each connection, wired to its stdin/stdout'
            cand --history 'The prompt''s history file [default: $XDG_STATE_HOME/wsctl/history, else ~/.local/state/wsctl/history]'
            cand --connect-timeout 'Give up connecting after DUR (e.g. 500ms, 10s, 2m; 0: no limit)'
            cand --retries 'With --reconnect: give up after N failed attempts in a row (default: never)'
            cand --proxy 'Connect through this proxy: http://[USER:PASS@]HOST:PORT (CONNECT) or socks5://[USER:PASS@]HOST:PORT (the proxy resolves names); default from https_proxy/http_proxy/all_proxy unless no_proxy names the host'
            cand --reconnect-max-delay 'With --reconnect: the longest wait between attempts'
            cand --ca 'Trust only the certificates in FILE (PEM, may hold several) instead of the web roots and the system''s store: CAs, or the server''s own self-signed certificate (as curl''s --cacert)'
            cand --cert 'Present this client certificate (PEM, chain allowed)'
            cand --key 'The private key of --cert (PEM: RSA, ECDSA or Ed25519)'
            cand --sni 'The server name to send (SNI) and to check the certificate against (default: the host)'
            cand --send 'Send TEXT right after connecting (repeatable, in order; a line for tcp) instead of reading stdin, then keep receiving'
            cand --count 'Exit 0 after N messages (lines for tcp, datagrams for udp) have been received and written, closing cleanly'
            cand --timeout 'Give up (exit 1) when the whole run has taken DUR'
            cand --idle-timeout 'Give up (exit 1) after DUR without data either way'
            cand --color 'Colour status lines on stderr (auto: when stderr is a terminal and NO_COLOR is unset)'
            cand --events 'How status lines and events are written on stderr'
            cand --hex-dump 'Write what each connection sends (>) and receives (<) to FILE (- for stderr), as `hexdump -C` shows it; WebSocket and UDP a block per message; under TLS the plaintext'
            cand -z 'Scan: connect to each of the ports and close at once, sending nothing; print `HOST:PORT open` for each that accepts (exit 0 if any does, 3 if none), as `nc -z`'
            cand --scan 'Scan: connect to each of the ports and close at once, sending nothing; print `HOST:PORT open` for each that accepts (exit 0 if any does, 3 if none), as `nc -z`'
            cand --tls 'Speak TLS to the server (verified as for wss://)'
            cand -C 'Send line ends as CRLF: each `\n` not already after a `\r` goes as `\r\n` (typed lines, stdin, a command''s output, --send), as `ncat -C` does'
            cand --crlf 'Send line ends as CRLF: each `\n` not already after a `\r` goes as `\r\n` (typed lines, stdin, a command''s output, --send), as `ncat -C` does'
            cand --echo 'Send back everything that arrives, instead of using stdin/stdout'
            cand --no-repl 'Pipe stdin/stdout plainly even on a terminal (no interactive prompt)'
            cand --reconnect 'Connect again when the connection fails or ends (exponential backoff with jitter), until stdin ends'
            cand --insecure 'Do not check the server''s certificate (unsafe; says so on stderr)'
            cand --recv-only 'Ignore stdin and never close because of it: run until the peer closes'
            cand --send-only 'Write nothing that is received'
            cand -v 'Show more on stderr (repeat for more detail)'
            cand --verbose 'Show more on stderr (repeat for more detail)'
            cand -q 'Show only errors on stderr'
            cand --quiet 'Show only errors on stderr'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'wsctl;tcp;listen'= {
            cand -e 'Run CMD through `sh -c` for each connection, wired to its stdin/stdout'
            cand --exec 'Run CMD through `sh -c` for each connection, wired to its stdin/stdout'
            cand --history 'The prompt''s history file [default: $XDG_STATE_HOME/wsctl/history, else ~/.local/state/wsctl/history]'
            cand --max-conns 'Serve at most N clients at once; more are refused (WebSocket: HTTP 503) and logged. Default with -k --exec: 100 (as ncat)'
            cand --allow 'Accept clients only from this address or CIDR block (repeatable)'
            cand --deny 'Close clients from this address or CIDR block at once (repeatable; wins over --allow)'
            cand --idle-timeout 'Close a client''s connection after DUR without data either way (0: never). Default with -k --exec: 10m'
            cand --to 'Forward each client to its own upstream connection: tcp://HOST:PORT, tls://HOST:PORT, ws://..., wss://... or unix:PATH (byte streams travel as binary messages)'
            cand --handshake-timeout 'Close a client that has not finished its TLS / WebSocket handshake within DUR'
            cand --tls-cert 'Serve TLS with this certificate (PEM, chain allowed); needs --tls-key'
            cand --tls-key 'The private key of --tls-cert (PEM: RSA, ECDSA or Ed25519)'
            cand --client-ca 'Require client certificates issued by the CAs in FILE (PEM)'
            cand --ca 'Trust only the certificates in FILE (PEM, may hold several) instead of the web roots and the system''s store: CAs, or the server''s own self-signed certificate (as curl''s --cacert)'
            cand --cert 'Present this client certificate (PEM, chain allowed)'
            cand --key 'The private key of --cert (PEM: RSA, ECDSA or Ed25519)'
            cand --sni 'The server name to send (SNI) and to check the certificate against (default: the host)'
            cand --color 'Colour status lines on stderr (auto: when stderr is a terminal and NO_COLOR is unset)'
            cand --events 'How status lines and events are written on stderr'
            cand --hex-dump 'Write what each connection sends (>) and receives (<) to FILE (- for stderr), as `hexdump -C` shows it; WebSocket and UDP a block per message; under TLS the plaintext'
            cand -C 'Send line ends as CRLF: each `\n` not already after a `\r` goes as `\r\n` (typed lines, stdin, a command''s output), as `ncat -C` does'
            cand --crlf 'Send line ends as CRLF: each `\n` not already after a `\r` goes as `\r\n` (typed lines, stdin, a command''s output), as `ncat -C` does'
            cand --echo 'Send back everything that arrives, instead of using stdin/stdout'
            cand --no-repl 'Pipe stdin/stdout plainly even on a terminal (no interactive prompt)'
            cand -k 'Keep listening after a connection ends: with --echo or --exec, clients are served at once; with stdin/stdout, one after another'
            cand --keep-open 'Keep listening after a connection ends: with --echo or --exec, clients are served at once; with stdin/stdout, one after another'
            cand --broadcast 'With stdin/stdout: serve clients at once, send each stdin line to all of them, and write every client''s lines to stdout (implies -k)'
            cand --chat 'Like --broadcast, and each client''s lines also go to every other client'
            cand --tls-self-signed 'Serve TLS with a fresh self-signed certificate for localhost and the listen address (its SHA-256 fingerprint is shown on stderr)'
            cand --insecure 'Do not check the server''s certificate (unsafe; says so on stderr)'
            cand -v 'Show more on stderr (repeat for more detail)'
            cand --verbose 'Show more on stderr (repeat for more detail)'
            cand -q 'Show only errors on stderr'
            cand --quiet 'Show only errors on stderr'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'wsctl;tcp;help'= {
            cand connect 'Connect to HOST PORT (or HOST:PORT, [IPv6]:PORT) and pipe stdin/stdout through it'
            cand listen 'Listen on [HOST:]PORT and pipe an accepted connection through stdin/stdout'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'wsctl;tcp;help;connect'= {
        }
        &'wsctl;tcp;help;listen'= {
        }
        &'wsctl;tcp;help;help'= {
        }
        &'wsctl;ws'= {
            cand --color 'Colour status lines on stderr (auto: when stderr is a terminal and NO_COLOR is unset)'
            cand --events 'How status lines and events are written on stderr'
            cand --hex-dump 'Write what each connection sends (>) and receives (<) to FILE (- for stderr), as `hexdump -C` shows it; WebSocket and UDP a block per message; under TLS the plaintext'
            cand -v 'Show more on stderr (repeat for more detail)'
            cand --verbose 'Show more on stderr (repeat for more detail)'
            cand -q 'Show only errors on stderr'
            cand --quiet 'Show only errors on stderr'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand connect 'Connect to URL (ws:// or wss://HOST[:PORT]/PATH) and pipe stdin/stdout through it'
            cand listen 'Listen on [HOST:]PORT for WebSocket clients and pipe one through stdin/stdout'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'wsctl;ws;connect'= {
            cand -H 'Extra request header ''Name: value'' (repeatable; may override Host)'
            cand --header 'Extra request header ''Name: value'' (repeatable; may override Host)'
            cand --protocol 'Offer this subprotocol (repeatable, in order of preference)'
            cand --origin 'Send this Origin header'
            cand --auth 'Send Basic authentication'
            cand --unix-socket 'Connect to the Unix socket PATH (or @NAME) instead of the URL''s host, which still gives the Host header and the path, as curl''s --unix-socket'
            cand -e 'Run CMD through `sh -c` for each connection, wired to its stdin/stdout'
            cand --exec 'Run CMD through `sh -c` for each connection, wired to its stdin/stdout'
            cand --history 'The prompt''s history file [default: $XDG_STATE_HOME/wsctl/history, else ~/.local/state/wsctl/history]'
            cand --ping-interval 'Send a ping every DUR and show the round-trip time with -v'
            cand --ping-timeout 'End the connection when a ping has had no pong for DUR'
            cand --close-code 'The close code sent when our side ends'
            cand --close-reason 'The close reason sent when our side ends (at most 123 bytes)'
            cand --close-timeout 'How long to wait for the peer''s Close after sending ours (not while the peer is still taking the data sent before it)'
            cand --linger 'After the end of input, close once the peer has sent nothing for DUR (0: at once; `forever`: wait for the peer''s Close). Default: 1s for a client and a --to bridge; a listener waits for the client''s Close; --exec closes at once'
            cand --max-message-size 'The largest message accepted (and sent); a bigger one closes with 1009. A message is held whole, so at most the machine''s memory'
            cand --connect-timeout 'Give up connecting after DUR (e.g. 500ms, 10s, 2m; 0: no limit)'
            cand --retries 'With --reconnect: give up after N failed attempts in a row (default: never)'
            cand --proxy 'Connect through this proxy: http://[USER:PASS@]HOST:PORT (CONNECT) or socks5://[USER:PASS@]HOST:PORT (the proxy resolves names); default from https_proxy/http_proxy/all_proxy unless no_proxy names the host'
            cand --reconnect-max-delay 'With --reconnect: the longest wait between attempts'
            cand --ca 'Trust only the certificates in FILE (PEM, may hold several) instead of the web roots and the system''s store: CAs, or the server''s own self-signed certificate (as curl''s --cacert)'
            cand --cert 'Present this client certificate (PEM, chain allowed)'
            cand --key 'The private key of --cert (PEM: RSA, ECDSA or Ed25519)'
            cand --sni 'The server name to send (SNI) and to check the certificate against (default: the host)'
            cand --send 'Send TEXT right after connecting (repeatable, in order; a line for tcp) instead of reading stdin, then keep receiving'
            cand --count 'Exit 0 after N messages (lines for tcp, datagrams for udp) have been received and written, closing cleanly'
            cand --timeout 'Give up (exit 1) when the whole run has taken DUR'
            cand --idle-timeout 'Give up (exit 1) after DUR without data either way'
            cand --color 'Colour status lines on stderr (auto: when stderr is a terminal and NO_COLOR is unset)'
            cand --events 'How status lines and events are written on stderr'
            cand --hex-dump 'Write what each connection sends (>) and receives (<) to FILE (- for stderr), as `hexdump -C` shows it; WebSocket and UDP a block per message; under TLS the plaintext'
            cand -L 'Follow redirects (3xx), at most 5, never from wss:// down to ws://; credentials (--auth, Authorization and Cookie headers) are dropped when the host changes, as curl does'
            cand --location 'Follow redirects (3xx), at most 5, never from wss:// down to ws://; credentials (--auth, Authorization and Cookie headers) are dropped when the host changes, as curl does'
            cand --echo 'Send back everything that arrives, instead of using stdin/stdout'
            cand --no-repl 'Pipe stdin/stdout plainly even on a terminal (no interactive prompt)'
            cand -0 'Messages are NUL-terminated records instead of lines'
            cand --null 'Messages are NUL-terminated records instead of lines'
            cand -b 'Send stdin in chunks as binary messages; write payloads raw, nothing added'
            cand --binary 'Send stdin in chunks as binary messages; write payloads raw, nothing added'
            cand --reconnect 'Connect again when the connection fails or ends (exponential backoff with jitter), until stdin ends'
            cand --insecure 'Do not check the server''s certificate (unsafe; says so on stderr)'
            cand --recv-only 'Ignore stdin and never close because of it: run until the peer closes'
            cand --send-only 'Write nothing that is received'
            cand -v 'Show more on stderr (repeat for more detail)'
            cand --verbose 'Show more on stderr (repeat for more detail)'
            cand -q 'Show only errors on stderr'
            cand --quiet 'Show only errors on stderr'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'wsctl;ws;listen'= {
            cand --mode 'The socket file''s permissions, in octal (660, 0600), for `unix:PATH`; without it the umask decides'
            cand --path 'Accept WebSocket requests only for this path (others get 404)'
            cand --protocol 'A subprotocol this server speaks (repeatable, in order of preference): the first one the client offers is selected'
            cand -e 'Run CMD through `sh -c` for each connection, wired to its stdin/stdout'
            cand --exec 'Run CMD through `sh -c` for each connection, wired to its stdin/stdout'
            cand --history 'The prompt''s history file [default: $XDG_STATE_HOME/wsctl/history, else ~/.local/state/wsctl/history]'
            cand --ping-interval 'Send a ping every DUR and show the round-trip time with -v'
            cand --ping-timeout 'End the connection when a ping has had no pong for DUR'
            cand --close-code 'The close code sent when our side ends'
            cand --close-reason 'The close reason sent when our side ends (at most 123 bytes)'
            cand --close-timeout 'How long to wait for the peer''s Close after sending ours (not while the peer is still taking the data sent before it)'
            cand --linger 'After the end of input, close once the peer has sent nothing for DUR (0: at once; `forever`: wait for the peer''s Close). Default: 1s for a client and a --to bridge; a listener waits for the client''s Close; --exec closes at once'
            cand --max-message-size 'The largest message accepted (and sent); a bigger one closes with 1009. A message is held whole, so at most the machine''s memory'
            cand --max-conns 'Serve at most N clients at once; more are refused (WebSocket: HTTP 503) and logged. Default with -k --exec: 100 (as ncat)'
            cand --allow 'Accept clients only from this address or CIDR block (repeatable)'
            cand --deny 'Close clients from this address or CIDR block at once (repeatable; wins over --allow)'
            cand --idle-timeout 'Close a client''s connection after DUR without data either way (0: never). Default with -k --exec: 10m'
            cand --to 'Forward each client to its own upstream connection: tcp://HOST:PORT, tls://HOST:PORT, ws://..., wss://... or unix:PATH (byte streams travel as binary messages)'
            cand --handshake-timeout 'Close a client that has not finished its TLS / WebSocket handshake within DUR'
            cand --tls-cert 'Serve TLS with this certificate (PEM, chain allowed); needs --tls-key'
            cand --tls-key 'The private key of --tls-cert (PEM: RSA, ECDSA or Ed25519)'
            cand --client-ca 'Require client certificates issued by the CAs in FILE (PEM)'
            cand --ca 'Trust only the certificates in FILE (PEM, may hold several) instead of the web roots and the system''s store: CAs, or the server''s own self-signed certificate (as curl''s --cacert)'
            cand --cert 'Present this client certificate (PEM, chain allowed)'
            cand --key 'The private key of --cert (PEM: RSA, ECDSA or Ed25519)'
            cand --sni 'The server name to send (SNI) and to check the certificate against (default: the host)'
            cand --color 'Colour status lines on stderr (auto: when stderr is a terminal and NO_COLOR is unset)'
            cand --events 'How status lines and events are written on stderr'
            cand --hex-dump 'Write what each connection sends (>) and receives (<) to FILE (- for stderr), as `hexdump -C` shows it; WebSocket and UDP a block per message; under TLS the plaintext'
            cand --echo 'Send back everything that arrives, instead of using stdin/stdout'
            cand --no-repl 'Pipe stdin/stdout plainly even on a terminal (no interactive prompt)'
            cand -0 'Messages are NUL-terminated records instead of lines'
            cand --null 'Messages are NUL-terminated records instead of lines'
            cand -b 'Send stdin in chunks as binary messages; write payloads raw, nothing added'
            cand --binary 'Send stdin in chunks as binary messages; write payloads raw, nothing added'
            cand -k 'Keep listening after a connection ends: with --echo or --exec, clients are served at once; with stdin/stdout, one after another'
            cand --keep-open 'Keep listening after a connection ends: with --echo or --exec, clients are served at once; with stdin/stdout, one after another'
            cand --broadcast 'With stdin/stdout: serve clients at once, send each stdin line to all of them, and write every client''s lines to stdout (implies -k)'
            cand --chat 'Like --broadcast, and each client''s lines also go to every other client'
            cand --tls-self-signed 'Serve TLS with a fresh self-signed certificate for localhost and the listen address (its SHA-256 fingerprint is shown on stderr)'
            cand --insecure 'Do not check the server''s certificate (unsafe; says so on stderr)'
            cand -v 'Show more on stderr (repeat for more detail)'
            cand --verbose 'Show more on stderr (repeat for more detail)'
            cand -q 'Show only errors on stderr'
            cand --quiet 'Show only errors on stderr'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'wsctl;ws;help'= {
            cand connect 'Connect to URL (ws:// or wss://HOST[:PORT]/PATH) and pipe stdin/stdout through it'
            cand listen 'Listen on [HOST:]PORT for WebSocket clients and pipe one through stdin/stdout'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'wsctl;ws;help;connect'= {
        }
        &'wsctl;ws;help;listen'= {
        }
        &'wsctl;ws;help;help'= {
        }
        &'wsctl;udp'= {
            cand --color 'Colour status lines on stderr (auto: when stderr is a terminal and NO_COLOR is unset)'
            cand --events 'How status lines and events are written on stderr'
            cand --hex-dump 'Write what each connection sends (>) and receives (<) to FILE (- for stderr), as `hexdump -C` shows it; WebSocket and UDP a block per message; under TLS the plaintext'
            cand -v 'Show more on stderr (repeat for more detail)'
            cand --verbose 'Show more on stderr (repeat for more detail)'
            cand -q 'Show only errors on stderr'
            cand --quiet 'Show only errors on stderr'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand send 'Send each stdin line to HOST PORT as one datagram and print the replies'
            cand connect 'Send each stdin line to HOST PORT as one datagram and print the replies'
            cand listen 'Receive datagrams on [HOST:]PORT from every sender; stdin lines go to the most recent'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'wsctl;udp;send'= {
            cand --linger 'After stdin EOF, wait for replies until none has come for DUR (`forever`: until interrupted)'
            cand --wait 'After stdin EOF, wait for replies until none has come for DUR (`forever`: until interrupted)'
            cand --ttl 'Time to live (hop limit) of the datagrams sent, unicast and multicast'
            cand --interface 'For a multicast destination: the interface to send on (IPv4 address, or IPv6 interface name or index)'
            cand -s 'Bind the local end to ADDR (one of this machine''s addresses) before connecting (over UDP, sending), as `ncat -s`'
            cand --source 'Bind the local end to ADDR (one of this machine''s addresses) before connecting (over UDP, sending), as `ncat -s`'
            cand --source-port 'Bind the local end to PORT before connecting (over UDP, sending), as `ncat -p`'
            cand -e 'Run CMD through `sh -c` for each connection, wired to its stdin/stdout'
            cand --exec 'Run CMD through `sh -c` for each connection, wired to its stdin/stdout'
            cand --history 'The prompt''s history file [default: $XDG_STATE_HOME/wsctl/history, else ~/.local/state/wsctl/history]'
            cand --send 'Send TEXT right after connecting (repeatable, in order; a line for tcp) instead of reading stdin, then keep receiving'
            cand --count 'Exit 0 after N messages (lines for tcp, datagrams for udp) have been received and written, closing cleanly'
            cand --timeout 'Give up (exit 1) when the whole run has taken DUR'
            cand --idle-timeout 'Give up (exit 1) after DUR without data either way'
            cand --color 'Colour status lines on stderr (auto: when stderr is a terminal and NO_COLOR is unset)'
            cand --events 'How status lines and events are written on stderr'
            cand --hex-dump 'Write what each connection sends (>) and receives (<) to FILE (- for stderr), as `hexdump -C` shows it; WebSocket and UDP a block per message; under TLS the plaintext'
            cand --broadcast 'Allow sending to a broadcast address (SO_BROADCAST)'
            cand -C 'End each datagram with CRLF (and send any `\n` inside as `\r\n`), as `ncat -C` does'
            cand --crlf 'End each datagram with CRLF (and send any `\n` inside as `\r\n`), as `ncat -C` does'
            cand --echo 'Send back everything that arrives, instead of using stdin/stdout'
            cand --no-repl 'Pipe stdin/stdout plainly even on a terminal (no interactive prompt)'
            cand -0 'Messages are NUL-terminated records instead of lines'
            cand --null 'Messages are NUL-terminated records instead of lines'
            cand -b 'Send stdin in chunks as binary messages; write payloads raw, nothing added'
            cand --binary 'Send stdin in chunks as binary messages; write payloads raw, nothing added'
            cand --recv-only 'Ignore stdin and never close because of it: run until the peer closes'
            cand --send-only 'Write nothing that is received'
            cand -v 'Show more on stderr (repeat for more detail)'
            cand --verbose 'Show more on stderr (repeat for more detail)'
            cand -q 'Show only errors on stderr'
            cand --quiet 'Show only errors on stderr'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'wsctl;udp;connect'= {
            cand --linger 'After stdin EOF, wait for replies until none has come for DUR (`forever`: until interrupted)'
            cand --wait 'After stdin EOF, wait for replies until none has come for DUR (`forever`: until interrupted)'
            cand --ttl 'Time to live (hop limit) of the datagrams sent, unicast and multicast'
            cand --interface 'For a multicast destination: the interface to send on (IPv4 address, or IPv6 interface name or index)'
            cand -s 'Bind the local end to ADDR (one of this machine''s addresses) before connecting (over UDP, sending), as `ncat -s`'
            cand --source 'Bind the local end to ADDR (one of this machine''s addresses) before connecting (over UDP, sending), as `ncat -s`'
            cand --source-port 'Bind the local end to PORT before connecting (over UDP, sending), as `ncat -p`'
            cand -e 'Run CMD through `sh -c` for each connection, wired to its stdin/stdout'
            cand --exec 'Run CMD through `sh -c` for each connection, wired to its stdin/stdout'
            cand --history 'The prompt''s history file [default: $XDG_STATE_HOME/wsctl/history, else ~/.local/state/wsctl/history]'
            cand --send 'Send TEXT right after connecting (repeatable, in order; a line for tcp) instead of reading stdin, then keep receiving'
            cand --count 'Exit 0 after N messages (lines for tcp, datagrams for udp) have been received and written, closing cleanly'
            cand --timeout 'Give up (exit 1) when the whole run has taken DUR'
            cand --idle-timeout 'Give up (exit 1) after DUR without data either way'
            cand --color 'Colour status lines on stderr (auto: when stderr is a terminal and NO_COLOR is unset)'
            cand --events 'How status lines and events are written on stderr'
            cand --hex-dump 'Write what each connection sends (>) and receives (<) to FILE (- for stderr), as `hexdump -C` shows it; WebSocket and UDP a block per message; under TLS the plaintext'
            cand --broadcast 'Allow sending to a broadcast address (SO_BROADCAST)'
            cand -C 'End each datagram with CRLF (and send any `\n` inside as `\r\n`), as `ncat -C` does'
            cand --crlf 'End each datagram with CRLF (and send any `\n` inside as `\r\n`), as `ncat -C` does'
            cand --echo 'Send back everything that arrives, instead of using stdin/stdout'
            cand --no-repl 'Pipe stdin/stdout plainly even on a terminal (no interactive prompt)'
            cand -0 'Messages are NUL-terminated records instead of lines'
            cand --null 'Messages are NUL-terminated records instead of lines'
            cand -b 'Send stdin in chunks as binary messages; write payloads raw, nothing added'
            cand --binary 'Send stdin in chunks as binary messages; write payloads raw, nothing added'
            cand --recv-only 'Ignore stdin and never close because of it: run until the peer closes'
            cand --send-only 'Write nothing that is received'
            cand -v 'Show more on stderr (repeat for more detail)'
            cand --verbose 'Show more on stderr (repeat for more detail)'
            cand -q 'Show only errors on stderr'
            cand --quiet 'Show only errors on stderr'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'wsctl;udp;listen'= {
            cand --multicast 'Join this multicast group (IPv4 or IPv6)'
            cand --interface 'The interface to join the group on (IPv4 address, or IPv6 interface name or index)'
            cand --ttl 'Time to live (hop limit) of the datagrams sent back'
            cand --max-conns 'With --exec: run at most N senders'' commands at once; datagrams from new senders past that are dropped, with a warning [default: 100]'
            cand --idle-timeout 'With --exec: end a sender''s command (its stdin closed, then stopped) after DUR without a datagram either way (0: never) [default: 60s]'
            cand -e 'Run CMD through `sh -c` for each connection, wired to its stdin/stdout'
            cand --exec 'Run CMD through `sh -c` for each connection, wired to its stdin/stdout'
            cand --history 'The prompt''s history file [default: $XDG_STATE_HOME/wsctl/history, else ~/.local/state/wsctl/history]'
            cand --color 'Colour status lines on stderr (auto: when stderr is a terminal and NO_COLOR is unset)'
            cand --events 'How status lines and events are written on stderr'
            cand --hex-dump 'Write what each connection sends (>) and receives (<) to FILE (- for stderr), as `hexdump -C` shows it; WebSocket and UDP a block per message; under TLS the plaintext'
            cand -C 'End each datagram with CRLF (and send any `\n` inside as `\r\n`), as `ncat -C` does'
            cand --crlf 'End each datagram with CRLF (and send any `\n` inside as `\r\n`), as `ncat -C` does'
            cand --echo 'Send back everything that arrives, instead of using stdin/stdout'
            cand --no-repl 'Pipe stdin/stdout plainly even on a terminal (no interactive prompt)'
            cand -0 'Messages are NUL-terminated records instead of lines'
            cand --null 'Messages are NUL-terminated records instead of lines'
            cand -b 'Send stdin in chunks as binary messages; write payloads raw, nothing added'
            cand --binary 'Send stdin in chunks as binary messages; write payloads raw, nothing added'
            cand -v 'Show more on stderr (repeat for more detail)'
            cand --verbose 'Show more on stderr (repeat for more detail)'
            cand -q 'Show only errors on stderr'
            cand --quiet 'Show only errors on stderr'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'wsctl;udp;help'= {
            cand send 'Send each stdin line to HOST PORT as one datagram and print the replies'
            cand listen 'Receive datagrams on [HOST:]PORT from every sender; stdin lines go to the most recent'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'wsctl;udp;help;send'= {
        }
        &'wsctl;udp;help;listen'= {
        }
        &'wsctl;udp;help;help'= {
        }
        &'wsctl;unix'= {
            cand --color 'Colour status lines on stderr (auto: when stderr is a terminal and NO_COLOR is unset)'
            cand --events 'How status lines and events are written on stderr'
            cand --hex-dump 'Write what each connection sends (>) and receives (<) to FILE (- for stderr), as `hexdump -C` shows it; WebSocket and UDP a block per message; under TLS the plaintext'
            cand -v 'Show more on stderr (repeat for more detail)'
            cand --verbose 'Show more on stderr (repeat for more detail)'
            cand -q 'Show only errors on stderr'
            cand --quiet 'Show only errors on stderr'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand connect 'Connect to the Unix socket PATH (or @NAME) and pipe stdin/stdout through it'
            cand listen 'Listen on the Unix socket PATH (or @NAME) and pipe an accepted connection through stdin/stdout'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'wsctl;unix;connect'= {
            cand --connect-timeout 'Give up connecting after DUR (e.g. 500ms, 10s, 2m; a bare number is seconds; 0: no limit)'
            cand -e 'Run CMD through `sh -c` for each connection, wired to its stdin/stdout'
            cand --exec 'Run CMD through `sh -c` for each connection, wired to its stdin/stdout'
            cand --history 'The prompt''s history file [default: $XDG_STATE_HOME/wsctl/history, else ~/.local/state/wsctl/history]'
            cand --send 'Send TEXT right after connecting (repeatable, in order; a line for tcp) instead of reading stdin, then keep receiving'
            cand --count 'Exit 0 after N messages (lines for tcp, datagrams for udp) have been received and written, closing cleanly'
            cand --timeout 'Give up (exit 1) when the whole run has taken DUR'
            cand --idle-timeout 'Give up (exit 1) after DUR without data either way'
            cand --color 'Colour status lines on stderr (auto: when stderr is a terminal and NO_COLOR is unset)'
            cand --events 'How status lines and events are written on stderr'
            cand --hex-dump 'Write what each connection sends (>) and receives (<) to FILE (- for stderr), as `hexdump -C` shows it; WebSocket and UDP a block per message; under TLS the plaintext'
            cand -C 'Send line ends as CRLF: each `\n` not already after a `\r` goes as `\r\n`, as `ncat -C` does'
            cand --crlf 'Send line ends as CRLF: each `\n` not already after a `\r` goes as `\r\n`, as `ncat -C` does'
            cand --echo 'Send back everything that arrives, instead of using stdin/stdout'
            cand --no-repl 'Pipe stdin/stdout plainly even on a terminal (no interactive prompt)'
            cand --recv-only 'Ignore stdin and never close because of it: run until the peer closes'
            cand --send-only 'Write nothing that is received'
            cand -v 'Show more on stderr (repeat for more detail)'
            cand --verbose 'Show more on stderr (repeat for more detail)'
            cand -q 'Show only errors on stderr'
            cand --quiet 'Show only errors on stderr'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'wsctl;unix;listen'= {
            cand --mode 'The socket file''s permissions, in octal (660, 0600); without it the umask decides'
            cand -e 'Run CMD through `sh -c` for each connection, wired to its stdin/stdout'
            cand --exec 'Run CMD through `sh -c` for each connection, wired to its stdin/stdout'
            cand --history 'The prompt''s history file [default: $XDG_STATE_HOME/wsctl/history, else ~/.local/state/wsctl/history]'
            cand --max-conns 'Serve at most N clients at once; more are refused (WebSocket: HTTP 503) and logged. Default with -k --exec: 100 (as ncat)'
            cand --allow 'Accept clients only from this address or CIDR block (repeatable)'
            cand --deny 'Close clients from this address or CIDR block at once (repeatable; wins over --allow)'
            cand --idle-timeout 'Close a client''s connection after DUR without data either way (0: never). Default with -k --exec: 10m'
            cand --to 'Forward each client to its own upstream connection: tcp://HOST:PORT, tls://HOST:PORT, ws://..., wss://... or unix:PATH (byte streams travel as binary messages)'
            cand --handshake-timeout 'Close a client that has not finished its TLS / WebSocket handshake within DUR'
            cand --ca 'Trust only the certificates in FILE (PEM, may hold several) instead of the web roots and the system''s store: CAs, or the server''s own self-signed certificate (as curl''s --cacert)'
            cand --cert 'Present this client certificate (PEM, chain allowed)'
            cand --key 'The private key of --cert (PEM: RSA, ECDSA or Ed25519)'
            cand --sni 'The server name to send (SNI) and to check the certificate against (default: the host)'
            cand --color 'Colour status lines on stderr (auto: when stderr is a terminal and NO_COLOR is unset)'
            cand --events 'How status lines and events are written on stderr'
            cand --hex-dump 'Write what each connection sends (>) and receives (<) to FILE (- for stderr), as `hexdump -C` shows it; WebSocket and UDP a block per message; under TLS the plaintext'
            cand -C 'Send line ends as CRLF: each `\n` not already after a `\r` goes as `\r\n` (typed lines, stdin, a command''s output), as `ncat -C` does'
            cand --crlf 'Send line ends as CRLF: each `\n` not already after a `\r` goes as `\r\n` (typed lines, stdin, a command''s output), as `ncat -C` does'
            cand --echo 'Send back everything that arrives, instead of using stdin/stdout'
            cand --no-repl 'Pipe stdin/stdout plainly even on a terminal (no interactive prompt)'
            cand -k 'Keep listening after a connection ends: with --echo or --exec, clients are served at once; with stdin/stdout, one after another'
            cand --keep-open 'Keep listening after a connection ends: with --echo or --exec, clients are served at once; with stdin/stdout, one after another'
            cand --broadcast 'With stdin/stdout: serve clients at once, send each stdin line to all of them, and write every client''s lines to stdout (implies -k)'
            cand --chat 'Like --broadcast, and each client''s lines also go to every other client'
            cand --insecure 'Do not check the server''s certificate (unsafe; says so on stderr)'
            cand -v 'Show more on stderr (repeat for more detail)'
            cand --verbose 'Show more on stderr (repeat for more detail)'
            cand -q 'Show only errors on stderr'
            cand --quiet 'Show only errors on stderr'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'wsctl;unix;help'= {
            cand connect 'Connect to the Unix socket PATH (or @NAME) and pipe stdin/stdout through it'
            cand listen 'Listen on the Unix socket PATH (or @NAME) and pipe an accepted connection through stdin/stdout'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'wsctl;unix;help;connect'= {
        }
        &'wsctl;unix;help;listen'= {
        }
        &'wsctl;unix;help;help'= {
        }
        &'wsctl;completions'= {
            cand --color 'Colour status lines on stderr (auto: when stderr is a terminal and NO_COLOR is unset)'
            cand --events 'How status lines and events are written on stderr'
            cand --hex-dump 'Write what each connection sends (>) and receives (<) to FILE (- for stderr), as `hexdump -C` shows it; WebSocket and UDP a block per message; under TLS the plaintext'
            cand -v 'Show more on stderr (repeat for more detail)'
            cand --verbose 'Show more on stderr (repeat for more detail)'
            cand -q 'Show only errors on stderr'
            cand --quiet 'Show only errors on stderr'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'wsctl;help'= {
            cand tcp 'TCP client and server'
            cand ws 'WebSocket client and server (RFC 6455)'
            cand udp 'UDP: datagrams to and from stdin/stdout'
            cand unix 'Unix domain sockets: streams, and datagrams with --dgram'
            cand completions 'Print a completion script for SHELL on stdout'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'wsctl;help;tcp'= {
            cand connect 'Connect to HOST PORT (or HOST:PORT, [IPv6]:PORT) and pipe stdin/stdout through it'
            cand listen 'Listen on [HOST:]PORT and pipe an accepted connection through stdin/stdout'
        }
        &'wsctl;help;tcp;connect'= {
        }
        &'wsctl;help;tcp;listen'= {
        }
        &'wsctl;help;ws'= {
            cand connect 'Connect to URL (ws:// or wss://HOST[:PORT]/PATH) and pipe stdin/stdout through it'
            cand listen 'Listen on [HOST:]PORT for WebSocket clients and pipe one through stdin/stdout'
        }
        &'wsctl;help;ws;connect'= {
        }
        &'wsctl;help;ws;listen'= {
        }
        &'wsctl;help;udp'= {
            cand send 'Send each stdin line to HOST PORT as one datagram and print the replies'
            cand listen 'Receive datagrams on [HOST:]PORT from every sender; stdin lines go to the most recent'
        }
        &'wsctl;help;udp;send'= {
        }
        &'wsctl;help;udp;listen'= {
        }
        &'wsctl;help;unix'= {
            cand connect 'Connect to the Unix socket PATH (or @NAME) and pipe stdin/stdout through it'
            cand listen 'Listen on the Unix socket PATH (or @NAME) and pipe an accepted connection through stdin/stdout'
        }
        &'wsctl;help;unix;connect'= {
        }
        &'wsctl;help;unix;listen'= {
        }
        &'wsctl;help;completions'= {
        }
        &'wsctl;help;help'= {
        }
    ]
    $completions[$command]
}
