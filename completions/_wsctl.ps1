
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'wsctl' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'wsctl'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'wsctl' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour status lines on stderr (auto: when stderr is a terminal and NO_COLOR is unset)')
            [CompletionResult]::new('--events', '--events', [CompletionResultType]::ParameterName, 'How status lines and events are written on stderr')
            [CompletionResult]::new('--hex-dump', '--hex-dump', [CompletionResultType]::ParameterName, 'Write what each connection sends (>) and receives (<) to FILE (- for stderr), as `hexdump -C` shows it; WebSocket and UDP a block per message; under TLS the plaintext')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more on stderr (repeat for more detail)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more on stderr (repeat for more detail)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Show only errors and warnings on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Show only errors and warnings on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('tcp', 'tcp', [CompletionResultType]::ParameterValue, 'TCP client and server')
            [CompletionResult]::new('ws', 'ws', [CompletionResultType]::ParameterValue, 'WebSocket client and server (RFC 6455)')
            [CompletionResult]::new('udp', 'udp', [CompletionResultType]::ParameterValue, 'UDP: datagrams to and from stdin/stdout')
            [CompletionResult]::new('unix', 'unix', [CompletionResultType]::ParameterValue, 'Unix domain sockets: streams, and datagrams with --dgram')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a completion script for SHELL on stdout')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'wsctl;tcp' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour status lines on stderr (auto: when stderr is a terminal and NO_COLOR is unset)')
            [CompletionResult]::new('--events', '--events', [CompletionResultType]::ParameterName, 'How status lines and events are written on stderr')
            [CompletionResult]::new('--hex-dump', '--hex-dump', [CompletionResultType]::ParameterName, 'Write what each connection sends (>) and receives (<) to FILE (- for stderr), as `hexdump -C` shows it; WebSocket and UDP a block per message; under TLS the plaintext')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more on stderr (repeat for more detail)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more on stderr (repeat for more detail)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Show only errors and warnings on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Show only errors and warnings on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('connect', 'connect', [CompletionResultType]::ParameterValue, 'Connect to HOST PORT (or HOST:PORT, [IPv6]:PORT) and pipe stdin/stdout through it')
            [CompletionResult]::new('listen', 'listen', [CompletionResultType]::ParameterValue, 'Listen on [HOST:]PORT and pipe an accepted connection through stdin/stdout')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'wsctl;tcp;connect' {
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Bind the local end to ADDR (one of this machine''s addresses) before connecting (over UDP, sending), as `ncat -s`')
            [CompletionResult]::new('--source', '--source', [CompletionResultType]::ParameterName, 'Bind the local end to ADDR (one of this machine''s addresses) before connecting (over UDP, sending), as `ncat -s`')
            [CompletionResult]::new('--source-port', '--source-port', [CompletionResultType]::ParameterName, 'Bind the local end to PORT before connecting (over UDP, sending), as `ncat -p`')
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'Run CMD through `sh -c` for each connection, wired to its stdin/stdout')
            [CompletionResult]::new('--exec', '--exec', [CompletionResultType]::ParameterName, 'Run CMD through `sh -c` for each connection, wired to its stdin/stdout')
            [CompletionResult]::new('--history', '--history', [CompletionResultType]::ParameterName, 'The prompt''s history file [default: $XDG_STATE_HOME/wsctl/history, else ~/.local/state/wsctl/history]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Give up connecting after DUR (e.g. 500ms, 10s, 2m; 0: no limit)')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'With --reconnect: give up after N failed attempts in a row (default: never)')
            [CompletionResult]::new('--proxy', '--proxy', [CompletionResultType]::ParameterName, 'Connect through this proxy: http://[USER:PASS@]HOST:PORT (CONNECT) or socks5://[USER:PASS@]HOST:PORT (the proxy resolves names); default from https_proxy/http_proxy/all_proxy unless no_proxy names the host')
            [CompletionResult]::new('--reconnect-max-delay', '--reconnect-max-delay', [CompletionResultType]::ParameterName, 'With --reconnect: the longest wait between attempts')
            [CompletionResult]::new('--ca', '--ca', [CompletionResultType]::ParameterName, 'Trust only the certificates in FILE (PEM, may hold several) instead of the web roots and the system''s store: CAs, or the server''s own self-signed certificate (as curl''s --cacert)')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Present this client certificate (PEM, chain allowed)')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'The private key of --cert (PEM: RSA, ECDSA or Ed25519)')
            [CompletionResult]::new('--sni', '--sni', [CompletionResultType]::ParameterName, 'The server name to send (SNI) and to check the certificate against (default: the host)')
            [CompletionResult]::new('--send', '--send', [CompletionResultType]::ParameterName, 'Send TEXT right after connecting (repeatable, in order; a line for tcp) instead of reading stdin, then keep receiving')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'Exit 0 after N messages (lines for tcp, datagrams for udp) have been received and written, closing cleanly')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up (exit 1) when the whole run has taken DUR')
            [CompletionResult]::new('--idle-timeout', '--idle-timeout', [CompletionResultType]::ParameterName, 'Give up (exit 1) after DUR without data either way')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour status lines on stderr (auto: when stderr is a terminal and NO_COLOR is unset)')
            [CompletionResult]::new('--events', '--events', [CompletionResultType]::ParameterName, 'How status lines and events are written on stderr')
            [CompletionResult]::new('--hex-dump', '--hex-dump', [CompletionResultType]::ParameterName, 'Write what each connection sends (>) and receives (<) to FILE (- for stderr), as `hexdump -C` shows it; WebSocket and UDP a block per message; under TLS the plaintext')
            [CompletionResult]::new('-z', '-z', [CompletionResultType]::ParameterName, 'Scan: connect to each of the ports and close at once, sending nothing; print `HOST:PORT open` for each that accepts (exit 0 if any does, 3 if none), as `nc -z`')
            [CompletionResult]::new('--scan', '--scan', [CompletionResultType]::ParameterName, 'Scan: connect to each of the ports and close at once, sending nothing; print `HOST:PORT open` for each that accepts (exit 0 if any does, 3 if none), as `nc -z`')
            [CompletionResult]::new('--tls', '--tls', [CompletionResultType]::ParameterName, 'Speak TLS to the server (verified as for wss://)')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Send line ends as CRLF: each `\n` not already after a `\r` goes as `\r\n` (typed lines, stdin, a command''s output, --send), as `ncat -C` does')
            [CompletionResult]::new('--crlf', '--crlf', [CompletionResultType]::ParameterName, 'Send line ends as CRLF: each `\n` not already after a `\r` goes as `\r\n` (typed lines, stdin, a command''s output, --send), as `ncat -C` does')
            [CompletionResult]::new('--echo', '--echo', [CompletionResultType]::ParameterName, 'Send back everything that arrives, instead of using stdin/stdout')
            [CompletionResult]::new('--no-repl', '--no-repl', [CompletionResultType]::ParameterName, 'Pipe stdin/stdout plainly even on a terminal (no interactive prompt)')
            [CompletionResult]::new('--reconnect', '--reconnect', [CompletionResultType]::ParameterName, 'Connect again when the connection fails or ends (exponential backoff with jitter), until stdin ends')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not check the server''s certificate (unsafe; says so on stderr)')
            [CompletionResult]::new('--recv-only', '--recv-only', [CompletionResultType]::ParameterName, 'Ignore stdin and never close because of it: run until the peer closes')
            [CompletionResult]::new('--send-only', '--send-only', [CompletionResultType]::ParameterName, 'Write nothing that is received')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more on stderr (repeat for more detail)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more on stderr (repeat for more detail)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Show only errors and warnings on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Show only errors and warnings on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'wsctl;tcp;listen' {
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'Run CMD through `sh -c` for each connection, wired to its stdin/stdout')
            [CompletionResult]::new('--exec', '--exec', [CompletionResultType]::ParameterName, 'Run CMD through `sh -c` for each connection, wired to its stdin/stdout')
            [CompletionResult]::new('--history', '--history', [CompletionResultType]::ParameterName, 'The prompt''s history file [default: $XDG_STATE_HOME/wsctl/history, else ~/.local/state/wsctl/history]')
            [CompletionResult]::new('--max-conns', '--max-conns', [CompletionResultType]::ParameterName, 'Serve at most N clients at once; more are refused (WebSocket: HTTP 503) and logged. Default with -k --exec: 100 (as ncat)')
            [CompletionResult]::new('--allow', '--allow', [CompletionResultType]::ParameterName, 'Accept clients only from this address or CIDR block (repeatable)')
            [CompletionResult]::new('--deny', '--deny', [CompletionResultType]::ParameterName, 'Close clients from this address or CIDR block at once (repeatable; wins over --allow)')
            [CompletionResult]::new('--idle-timeout', '--idle-timeout', [CompletionResultType]::ParameterName, 'Close a client''s connection after DUR without data either way (0: never). Default with -k --exec: 10m')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'Forward each client to its own upstream connection: tcp://HOST:PORT, tls://HOST:PORT, ws://..., wss://... or unix:PATH (byte streams travel as binary messages)')
            [CompletionResult]::new('--handshake-timeout', '--handshake-timeout', [CompletionResultType]::ParameterName, 'Close a client that has not finished its TLS / WebSocket handshake within DUR')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Serve TLS with this certificate (PEM, chain allowed); needs --tls-key')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'The private key of --tls-cert (PEM: RSA, ECDSA or Ed25519)')
            [CompletionResult]::new('--client-ca', '--client-ca', [CompletionResultType]::ParameterName, 'Require client certificates issued by the CAs in FILE (PEM)')
            [CompletionResult]::new('--ca', '--ca', [CompletionResultType]::ParameterName, 'Trust only the certificates in FILE (PEM, may hold several) instead of the web roots and the system''s store: CAs, or the server''s own self-signed certificate (as curl''s --cacert)')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Present this client certificate (PEM, chain allowed)')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'The private key of --cert (PEM: RSA, ECDSA or Ed25519)')
            [CompletionResult]::new('--sni', '--sni', [CompletionResultType]::ParameterName, 'The server name to send (SNI) and to check the certificate against (default: the host)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour status lines on stderr (auto: when stderr is a terminal and NO_COLOR is unset)')
            [CompletionResult]::new('--events', '--events', [CompletionResultType]::ParameterName, 'How status lines and events are written on stderr')
            [CompletionResult]::new('--hex-dump', '--hex-dump', [CompletionResultType]::ParameterName, 'Write what each connection sends (>) and receives (<) to FILE (- for stderr), as `hexdump -C` shows it; WebSocket and UDP a block per message; under TLS the plaintext')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Send line ends as CRLF: each `\n` not already after a `\r` goes as `\r\n` (typed lines, stdin, a command''s output), as `ncat -C` does')
            [CompletionResult]::new('--crlf', '--crlf', [CompletionResultType]::ParameterName, 'Send line ends as CRLF: each `\n` not already after a `\r` goes as `\r\n` (typed lines, stdin, a command''s output), as `ncat -C` does')
            [CompletionResult]::new('--echo', '--echo', [CompletionResultType]::ParameterName, 'Send back everything that arrives, instead of using stdin/stdout')
            [CompletionResult]::new('--no-repl', '--no-repl', [CompletionResultType]::ParameterName, 'Pipe stdin/stdout plainly even on a terminal (no interactive prompt)')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Keep listening after a connection ends: with --echo or --exec, clients are served at once; with stdin/stdout, one after another')
            [CompletionResult]::new('--keep-open', '--keep-open', [CompletionResultType]::ParameterName, 'Keep listening after a connection ends: with --echo or --exec, clients are served at once; with stdin/stdout, one after another')
            [CompletionResult]::new('--broadcast', '--broadcast', [CompletionResultType]::ParameterName, 'With stdin/stdout: serve clients at once, send each stdin line to all of them, and write every client''s lines to stdout (implies -k)')
            [CompletionResult]::new('--chat', '--chat', [CompletionResultType]::ParameterName, 'Like --broadcast, and each client''s lines also go to every other client')
            [CompletionResult]::new('--tls-self-signed', '--tls-self-signed', [CompletionResultType]::ParameterName, 'Serve TLS with a fresh self-signed certificate for localhost and the listen address (its SHA-256 fingerprint is shown on stderr)')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not check the server''s certificate (unsafe; says so on stderr)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more on stderr (repeat for more detail)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more on stderr (repeat for more detail)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Show only errors and warnings on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Show only errors and warnings on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'wsctl;tcp;help' {
            [CompletionResult]::new('connect', 'connect', [CompletionResultType]::ParameterValue, 'Connect to HOST PORT (or HOST:PORT, [IPv6]:PORT) and pipe stdin/stdout through it')
            [CompletionResult]::new('listen', 'listen', [CompletionResultType]::ParameterValue, 'Listen on [HOST:]PORT and pipe an accepted connection through stdin/stdout')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'wsctl;tcp;help;connect' {
            break
        }
        'wsctl;tcp;help;listen' {
            break
        }
        'wsctl;tcp;help;help' {
            break
        }
        'wsctl;ws' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour status lines on stderr (auto: when stderr is a terminal and NO_COLOR is unset)')
            [CompletionResult]::new('--events', '--events', [CompletionResultType]::ParameterName, 'How status lines and events are written on stderr')
            [CompletionResult]::new('--hex-dump', '--hex-dump', [CompletionResultType]::ParameterName, 'Write what each connection sends (>) and receives (<) to FILE (- for stderr), as `hexdump -C` shows it; WebSocket and UDP a block per message; under TLS the plaintext')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more on stderr (repeat for more detail)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more on stderr (repeat for more detail)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Show only errors and warnings on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Show only errors and warnings on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('connect', 'connect', [CompletionResultType]::ParameterValue, 'Connect to URL (ws:// or wss://HOST[:PORT]/PATH) and pipe stdin/stdout through it')
            [CompletionResult]::new('listen', 'listen', [CompletionResultType]::ParameterValue, 'Listen on [HOST:]PORT for WebSocket clients and pipe one through stdin/stdout')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'wsctl;ws;connect' {
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Extra request header ''Name: value'' (repeatable; may override Host)')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Extra request header ''Name: value'' (repeatable; may override Host)')
            [CompletionResult]::new('--protocol', '--protocol', [CompletionResultType]::ParameterName, 'Offer this subprotocol (repeatable, in order of preference)')
            [CompletionResult]::new('--origin', '--origin', [CompletionResultType]::ParameterName, 'Send this Origin header')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'Send Basic authentication')
            [CompletionResult]::new('--unix-socket', '--unix-socket', [CompletionResultType]::ParameterName, 'Connect to the Unix socket PATH (or @NAME) instead of the URL''s host, which still gives the Host header and the path, as curl''s --unix-socket')
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'Run CMD through `sh -c` for each connection, wired to its stdin/stdout')
            [CompletionResult]::new('--exec', '--exec', [CompletionResultType]::ParameterName, 'Run CMD through `sh -c` for each connection, wired to its stdin/stdout')
            [CompletionResult]::new('--history', '--history', [CompletionResultType]::ParameterName, 'The prompt''s history file [default: $XDG_STATE_HOME/wsctl/history, else ~/.local/state/wsctl/history]')
            [CompletionResult]::new('--ping-interval', '--ping-interval', [CompletionResultType]::ParameterName, 'Send a ping every DUR and show the round-trip time with -v')
            [CompletionResult]::new('--ping-timeout', '--ping-timeout', [CompletionResultType]::ParameterName, 'End the connection when a ping has had no pong for DUR')
            [CompletionResult]::new('--close-code', '--close-code', [CompletionResultType]::ParameterName, 'The close code sent when our side ends')
            [CompletionResult]::new('--close-reason', '--close-reason', [CompletionResultType]::ParameterName, 'The close reason sent when our side ends (at most 123 bytes)')
            [CompletionResult]::new('--close-timeout', '--close-timeout', [CompletionResultType]::ParameterName, 'How long to wait for the peer''s Close after sending ours (not while the peer is still taking the data sent before it)')
            [CompletionResult]::new('--linger', '--linger', [CompletionResultType]::ParameterName, 'After the end of input, close once the peer has sent nothing for DUR (0: at once; `forever`: wait for the peer''s Close). Default: 1s for a client and a --to bridge; a listener waits for the client''s Close; --exec closes at once')
            [CompletionResult]::new('--max-message-size', '--max-message-size', [CompletionResultType]::ParameterName, 'The largest message accepted (and sent); a bigger one closes with 1009. A message is held whole, so at most the machine''s memory')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Give up connecting after DUR (e.g. 500ms, 10s, 2m; 0: no limit)')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'With --reconnect: give up after N failed attempts in a row (default: never)')
            [CompletionResult]::new('--proxy', '--proxy', [CompletionResultType]::ParameterName, 'Connect through this proxy: http://[USER:PASS@]HOST:PORT (CONNECT) or socks5://[USER:PASS@]HOST:PORT (the proxy resolves names); default from https_proxy/http_proxy/all_proxy unless no_proxy names the host')
            [CompletionResult]::new('--reconnect-max-delay', '--reconnect-max-delay', [CompletionResultType]::ParameterName, 'With --reconnect: the longest wait between attempts')
            [CompletionResult]::new('--ca', '--ca', [CompletionResultType]::ParameterName, 'Trust only the certificates in FILE (PEM, may hold several) instead of the web roots and the system''s store: CAs, or the server''s own self-signed certificate (as curl''s --cacert)')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Present this client certificate (PEM, chain allowed)')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'The private key of --cert (PEM: RSA, ECDSA or Ed25519)')
            [CompletionResult]::new('--sni', '--sni', [CompletionResultType]::ParameterName, 'The server name to send (SNI) and to check the certificate against (default: the host)')
            [CompletionResult]::new('--send', '--send', [CompletionResultType]::ParameterName, 'Send TEXT right after connecting (repeatable, in order; a line for tcp) instead of reading stdin, then keep receiving')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'Exit 0 after N messages (lines for tcp, datagrams for udp) have been received and written, closing cleanly')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up (exit 1) when the whole run has taken DUR')
            [CompletionResult]::new('--idle-timeout', '--idle-timeout', [CompletionResultType]::ParameterName, 'Give up (exit 1) after DUR without data either way')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour status lines on stderr (auto: when stderr is a terminal and NO_COLOR is unset)')
            [CompletionResult]::new('--events', '--events', [CompletionResultType]::ParameterName, 'How status lines and events are written on stderr')
            [CompletionResult]::new('--hex-dump', '--hex-dump', [CompletionResultType]::ParameterName, 'Write what each connection sends (>) and receives (<) to FILE (- for stderr), as `hexdump -C` shows it; WebSocket and UDP a block per message; under TLS the plaintext')
            [CompletionResult]::new('-L', '-L ', [CompletionResultType]::ParameterName, 'Follow redirects (3xx), at most 5, never from wss:// down to ws://; credentials (--auth, Authorization and Cookie headers) are dropped when the host changes, as curl does')
            [CompletionResult]::new('--location', '--location', [CompletionResultType]::ParameterName, 'Follow redirects (3xx), at most 5, never from wss:// down to ws://; credentials (--auth, Authorization and Cookie headers) are dropped when the host changes, as curl does')
            [CompletionResult]::new('--echo', '--echo', [CompletionResultType]::ParameterName, 'Send back everything that arrives, instead of using stdin/stdout')
            [CompletionResult]::new('--no-repl', '--no-repl', [CompletionResultType]::ParameterName, 'Pipe stdin/stdout plainly even on a terminal (no interactive prompt)')
            [CompletionResult]::new('-0', '-0', [CompletionResultType]::ParameterName, 'Messages are NUL-terminated records instead of lines')
            [CompletionResult]::new('--null', '--null', [CompletionResultType]::ParameterName, 'Messages are NUL-terminated records instead of lines')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Send stdin in chunks as binary messages; write payloads raw, nothing added')
            [CompletionResult]::new('--binary', '--binary', [CompletionResultType]::ParameterName, 'Send stdin in chunks as binary messages; write payloads raw, nothing added')
            [CompletionResult]::new('--deflate', '--deflate', [CompletionResultType]::ParameterName, 'Compress messages with permessage-deflate (RFC 7692): ws connect offers it, ws listen accepts a client''s offer (and offers it to a --to ws:// upstream)')
            [CompletionResult]::new('--reconnect', '--reconnect', [CompletionResultType]::ParameterName, 'Connect again when the connection fails or ends (exponential backoff with jitter), until stdin ends')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not check the server''s certificate (unsafe; says so on stderr)')
            [CompletionResult]::new('--recv-only', '--recv-only', [CompletionResultType]::ParameterName, 'Ignore stdin and never close because of it: run until the peer closes')
            [CompletionResult]::new('--send-only', '--send-only', [CompletionResultType]::ParameterName, 'Write nothing that is received')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more on stderr (repeat for more detail)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more on stderr (repeat for more detail)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Show only errors and warnings on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Show only errors and warnings on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'wsctl;ws;listen' {
            [CompletionResult]::new('--mode', '--mode', [CompletionResultType]::ParameterName, 'The socket file''s permissions, in octal (660, 0600), for `unix:PATH`; without it the umask decides')
            [CompletionResult]::new('--path', '--path', [CompletionResultType]::ParameterName, 'Accept WebSocket requests only for this path (others get 404)')
            [CompletionResult]::new('--protocol', '--protocol', [CompletionResultType]::ParameterName, 'A subprotocol this server speaks (repeatable, in order of preference): the first one the client offers is selected')
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'Run CMD through `sh -c` for each connection, wired to its stdin/stdout')
            [CompletionResult]::new('--exec', '--exec', [CompletionResultType]::ParameterName, 'Run CMD through `sh -c` for each connection, wired to its stdin/stdout')
            [CompletionResult]::new('--history', '--history', [CompletionResultType]::ParameterName, 'The prompt''s history file [default: $XDG_STATE_HOME/wsctl/history, else ~/.local/state/wsctl/history]')
            [CompletionResult]::new('--ping-interval', '--ping-interval', [CompletionResultType]::ParameterName, 'Send a ping every DUR and show the round-trip time with -v')
            [CompletionResult]::new('--ping-timeout', '--ping-timeout', [CompletionResultType]::ParameterName, 'End the connection when a ping has had no pong for DUR')
            [CompletionResult]::new('--close-code', '--close-code', [CompletionResultType]::ParameterName, 'The close code sent when our side ends')
            [CompletionResult]::new('--close-reason', '--close-reason', [CompletionResultType]::ParameterName, 'The close reason sent when our side ends (at most 123 bytes)')
            [CompletionResult]::new('--close-timeout', '--close-timeout', [CompletionResultType]::ParameterName, 'How long to wait for the peer''s Close after sending ours (not while the peer is still taking the data sent before it)')
            [CompletionResult]::new('--linger', '--linger', [CompletionResultType]::ParameterName, 'After the end of input, close once the peer has sent nothing for DUR (0: at once; `forever`: wait for the peer''s Close). Default: 1s for a client and a --to bridge; a listener waits for the client''s Close; --exec closes at once')
            [CompletionResult]::new('--max-message-size', '--max-message-size', [CompletionResultType]::ParameterName, 'The largest message accepted (and sent); a bigger one closes with 1009. A message is held whole, so at most the machine''s memory')
            [CompletionResult]::new('--max-conns', '--max-conns', [CompletionResultType]::ParameterName, 'Serve at most N clients at once; more are refused (WebSocket: HTTP 503) and logged. Default with -k --exec: 100 (as ncat)')
            [CompletionResult]::new('--allow', '--allow', [CompletionResultType]::ParameterName, 'Accept clients only from this address or CIDR block (repeatable)')
            [CompletionResult]::new('--deny', '--deny', [CompletionResultType]::ParameterName, 'Close clients from this address or CIDR block at once (repeatable; wins over --allow)')
            [CompletionResult]::new('--idle-timeout', '--idle-timeout', [CompletionResultType]::ParameterName, 'Close a client''s connection after DUR without data either way (0: never). Default with -k --exec: 10m')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'Forward each client to its own upstream connection: tcp://HOST:PORT, tls://HOST:PORT, ws://..., wss://... or unix:PATH (byte streams travel as binary messages)')
            [CompletionResult]::new('--handshake-timeout', '--handshake-timeout', [CompletionResultType]::ParameterName, 'Close a client that has not finished its TLS / WebSocket handshake within DUR')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Serve TLS with this certificate (PEM, chain allowed); needs --tls-key')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'The private key of --tls-cert (PEM: RSA, ECDSA or Ed25519)')
            [CompletionResult]::new('--client-ca', '--client-ca', [CompletionResultType]::ParameterName, 'Require client certificates issued by the CAs in FILE (PEM)')
            [CompletionResult]::new('--ca', '--ca', [CompletionResultType]::ParameterName, 'Trust only the certificates in FILE (PEM, may hold several) instead of the web roots and the system''s store: CAs, or the server''s own self-signed certificate (as curl''s --cacert)')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Present this client certificate (PEM, chain allowed)')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'The private key of --cert (PEM: RSA, ECDSA or Ed25519)')
            [CompletionResult]::new('--sni', '--sni', [CompletionResultType]::ParameterName, 'The server name to send (SNI) and to check the certificate against (default: the host)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour status lines on stderr (auto: when stderr is a terminal and NO_COLOR is unset)')
            [CompletionResult]::new('--events', '--events', [CompletionResultType]::ParameterName, 'How status lines and events are written on stderr')
            [CompletionResult]::new('--hex-dump', '--hex-dump', [CompletionResultType]::ParameterName, 'Write what each connection sends (>) and receives (<) to FILE (- for stderr), as `hexdump -C` shows it; WebSocket and UDP a block per message; under TLS the plaintext')
            [CompletionResult]::new('--echo', '--echo', [CompletionResultType]::ParameterName, 'Send back everything that arrives, instead of using stdin/stdout')
            [CompletionResult]::new('--no-repl', '--no-repl', [CompletionResultType]::ParameterName, 'Pipe stdin/stdout plainly even on a terminal (no interactive prompt)')
            [CompletionResult]::new('-0', '-0', [CompletionResultType]::ParameterName, 'Messages are NUL-terminated records instead of lines')
            [CompletionResult]::new('--null', '--null', [CompletionResultType]::ParameterName, 'Messages are NUL-terminated records instead of lines')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Send stdin in chunks as binary messages; write payloads raw, nothing added')
            [CompletionResult]::new('--binary', '--binary', [CompletionResultType]::ParameterName, 'Send stdin in chunks as binary messages; write payloads raw, nothing added')
            [CompletionResult]::new('--deflate', '--deflate', [CompletionResultType]::ParameterName, 'Compress messages with permessage-deflate (RFC 7692): ws connect offers it, ws listen accepts a client''s offer (and offers it to a --to ws:// upstream)')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Keep listening after a connection ends: with --echo or --exec, clients are served at once; with stdin/stdout, one after another')
            [CompletionResult]::new('--keep-open', '--keep-open', [CompletionResultType]::ParameterName, 'Keep listening after a connection ends: with --echo or --exec, clients are served at once; with stdin/stdout, one after another')
            [CompletionResult]::new('--broadcast', '--broadcast', [CompletionResultType]::ParameterName, 'With stdin/stdout: serve clients at once, send each stdin line to all of them, and write every client''s lines to stdout (implies -k)')
            [CompletionResult]::new('--chat', '--chat', [CompletionResultType]::ParameterName, 'Like --broadcast, and each client''s lines also go to every other client')
            [CompletionResult]::new('--tls-self-signed', '--tls-self-signed', [CompletionResultType]::ParameterName, 'Serve TLS with a fresh self-signed certificate for localhost and the listen address (its SHA-256 fingerprint is shown on stderr)')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not check the server''s certificate (unsafe; says so on stderr)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more on stderr (repeat for more detail)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more on stderr (repeat for more detail)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Show only errors and warnings on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Show only errors and warnings on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'wsctl;ws;help' {
            [CompletionResult]::new('connect', 'connect', [CompletionResultType]::ParameterValue, 'Connect to URL (ws:// or wss://HOST[:PORT]/PATH) and pipe stdin/stdout through it')
            [CompletionResult]::new('listen', 'listen', [CompletionResultType]::ParameterValue, 'Listen on [HOST:]PORT for WebSocket clients and pipe one through stdin/stdout')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'wsctl;ws;help;connect' {
            break
        }
        'wsctl;ws;help;listen' {
            break
        }
        'wsctl;ws;help;help' {
            break
        }
        'wsctl;udp' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour status lines on stderr (auto: when stderr is a terminal and NO_COLOR is unset)')
            [CompletionResult]::new('--events', '--events', [CompletionResultType]::ParameterName, 'How status lines and events are written on stderr')
            [CompletionResult]::new('--hex-dump', '--hex-dump', [CompletionResultType]::ParameterName, 'Write what each connection sends (>) and receives (<) to FILE (- for stderr), as `hexdump -C` shows it; WebSocket and UDP a block per message; under TLS the plaintext')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more on stderr (repeat for more detail)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more on stderr (repeat for more detail)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Show only errors and warnings on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Show only errors and warnings on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('send', 'send', [CompletionResultType]::ParameterValue, 'Send each stdin line to HOST PORT as one datagram and print the replies')
            [CompletionResult]::new('connect', 'connect', [CompletionResultType]::ParameterValue, 'Send each stdin line to HOST PORT as one datagram and print the replies')
            [CompletionResult]::new('listen', 'listen', [CompletionResultType]::ParameterValue, 'Receive datagrams on [HOST:]PORT from every sender; stdin lines go to the most recent')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'wsctl;udp;send' {
            [CompletionResult]::new('--linger', '--linger', [CompletionResultType]::ParameterName, 'After stdin EOF, wait for replies until none has come for DUR (`forever`: until interrupted)')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'After stdin EOF, wait for replies until none has come for DUR (`forever`: until interrupted)')
            [CompletionResult]::new('--ttl', '--ttl', [CompletionResultType]::ParameterName, 'Time to live (hop limit) of the datagrams sent, unicast and multicast')
            [CompletionResult]::new('--interface', '--interface', [CompletionResultType]::ParameterName, 'For a multicast destination: the interface to send on (IPv4 address, or IPv6 interface name or index)')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Bind the local end to ADDR (one of this machine''s addresses) before connecting (over UDP, sending), as `ncat -s`')
            [CompletionResult]::new('--source', '--source', [CompletionResultType]::ParameterName, 'Bind the local end to ADDR (one of this machine''s addresses) before connecting (over UDP, sending), as `ncat -s`')
            [CompletionResult]::new('--source-port', '--source-port', [CompletionResultType]::ParameterName, 'Bind the local end to PORT before connecting (over UDP, sending), as `ncat -p`')
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'Run CMD through `sh -c` for each connection, wired to its stdin/stdout')
            [CompletionResult]::new('--exec', '--exec', [CompletionResultType]::ParameterName, 'Run CMD through `sh -c` for each connection, wired to its stdin/stdout')
            [CompletionResult]::new('--history', '--history', [CompletionResultType]::ParameterName, 'The prompt''s history file [default: $XDG_STATE_HOME/wsctl/history, else ~/.local/state/wsctl/history]')
            [CompletionResult]::new('--send', '--send', [CompletionResultType]::ParameterName, 'Send TEXT right after connecting (repeatable, in order; a line for tcp) instead of reading stdin, then keep receiving')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'Exit 0 after N messages (lines for tcp, datagrams for udp) have been received and written, closing cleanly')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up (exit 1) when the whole run has taken DUR')
            [CompletionResult]::new('--idle-timeout', '--idle-timeout', [CompletionResultType]::ParameterName, 'Give up (exit 1) after DUR without data either way')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour status lines on stderr (auto: when stderr is a terminal and NO_COLOR is unset)')
            [CompletionResult]::new('--events', '--events', [CompletionResultType]::ParameterName, 'How status lines and events are written on stderr')
            [CompletionResult]::new('--hex-dump', '--hex-dump', [CompletionResultType]::ParameterName, 'Write what each connection sends (>) and receives (<) to FILE (- for stderr), as `hexdump -C` shows it; WebSocket and UDP a block per message; under TLS the plaintext')
            [CompletionResult]::new('--broadcast', '--broadcast', [CompletionResultType]::ParameterName, 'Allow sending to a broadcast address (SO_BROADCAST)')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'End each datagram with CRLF (and send any `\n` inside as `\r\n`), as `ncat -C` does')
            [CompletionResult]::new('--crlf', '--crlf', [CompletionResultType]::ParameterName, 'End each datagram with CRLF (and send any `\n` inside as `\r\n`), as `ncat -C` does')
            [CompletionResult]::new('--echo', '--echo', [CompletionResultType]::ParameterName, 'Send back everything that arrives, instead of using stdin/stdout')
            [CompletionResult]::new('--no-repl', '--no-repl', [CompletionResultType]::ParameterName, 'Pipe stdin/stdout plainly even on a terminal (no interactive prompt)')
            [CompletionResult]::new('-0', '-0', [CompletionResultType]::ParameterName, 'Messages are NUL-terminated records instead of lines')
            [CompletionResult]::new('--null', '--null', [CompletionResultType]::ParameterName, 'Messages are NUL-terminated records instead of lines')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Send stdin in chunks as binary messages; write payloads raw, nothing added')
            [CompletionResult]::new('--binary', '--binary', [CompletionResultType]::ParameterName, 'Send stdin in chunks as binary messages; write payloads raw, nothing added')
            [CompletionResult]::new('--recv-only', '--recv-only', [CompletionResultType]::ParameterName, 'Ignore stdin and never close because of it: run until the peer closes')
            [CompletionResult]::new('--send-only', '--send-only', [CompletionResultType]::ParameterName, 'Write nothing that is received')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more on stderr (repeat for more detail)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more on stderr (repeat for more detail)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Show only errors and warnings on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Show only errors and warnings on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'wsctl;udp;connect' {
            [CompletionResult]::new('--linger', '--linger', [CompletionResultType]::ParameterName, 'After stdin EOF, wait for replies until none has come for DUR (`forever`: until interrupted)')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'After stdin EOF, wait for replies until none has come for DUR (`forever`: until interrupted)')
            [CompletionResult]::new('--ttl', '--ttl', [CompletionResultType]::ParameterName, 'Time to live (hop limit) of the datagrams sent, unicast and multicast')
            [CompletionResult]::new('--interface', '--interface', [CompletionResultType]::ParameterName, 'For a multicast destination: the interface to send on (IPv4 address, or IPv6 interface name or index)')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Bind the local end to ADDR (one of this machine''s addresses) before connecting (over UDP, sending), as `ncat -s`')
            [CompletionResult]::new('--source', '--source', [CompletionResultType]::ParameterName, 'Bind the local end to ADDR (one of this machine''s addresses) before connecting (over UDP, sending), as `ncat -s`')
            [CompletionResult]::new('--source-port', '--source-port', [CompletionResultType]::ParameterName, 'Bind the local end to PORT before connecting (over UDP, sending), as `ncat -p`')
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'Run CMD through `sh -c` for each connection, wired to its stdin/stdout')
            [CompletionResult]::new('--exec', '--exec', [CompletionResultType]::ParameterName, 'Run CMD through `sh -c` for each connection, wired to its stdin/stdout')
            [CompletionResult]::new('--history', '--history', [CompletionResultType]::ParameterName, 'The prompt''s history file [default: $XDG_STATE_HOME/wsctl/history, else ~/.local/state/wsctl/history]')
            [CompletionResult]::new('--send', '--send', [CompletionResultType]::ParameterName, 'Send TEXT right after connecting (repeatable, in order; a line for tcp) instead of reading stdin, then keep receiving')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'Exit 0 after N messages (lines for tcp, datagrams for udp) have been received and written, closing cleanly')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up (exit 1) when the whole run has taken DUR')
            [CompletionResult]::new('--idle-timeout', '--idle-timeout', [CompletionResultType]::ParameterName, 'Give up (exit 1) after DUR without data either way')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour status lines on stderr (auto: when stderr is a terminal and NO_COLOR is unset)')
            [CompletionResult]::new('--events', '--events', [CompletionResultType]::ParameterName, 'How status lines and events are written on stderr')
            [CompletionResult]::new('--hex-dump', '--hex-dump', [CompletionResultType]::ParameterName, 'Write what each connection sends (>) and receives (<) to FILE (- for stderr), as `hexdump -C` shows it; WebSocket and UDP a block per message; under TLS the plaintext')
            [CompletionResult]::new('--broadcast', '--broadcast', [CompletionResultType]::ParameterName, 'Allow sending to a broadcast address (SO_BROADCAST)')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'End each datagram with CRLF (and send any `\n` inside as `\r\n`), as `ncat -C` does')
            [CompletionResult]::new('--crlf', '--crlf', [CompletionResultType]::ParameterName, 'End each datagram with CRLF (and send any `\n` inside as `\r\n`), as `ncat -C` does')
            [CompletionResult]::new('--echo', '--echo', [CompletionResultType]::ParameterName, 'Send back everything that arrives, instead of using stdin/stdout')
            [CompletionResult]::new('--no-repl', '--no-repl', [CompletionResultType]::ParameterName, 'Pipe stdin/stdout plainly even on a terminal (no interactive prompt)')
            [CompletionResult]::new('-0', '-0', [CompletionResultType]::ParameterName, 'Messages are NUL-terminated records instead of lines')
            [CompletionResult]::new('--null', '--null', [CompletionResultType]::ParameterName, 'Messages are NUL-terminated records instead of lines')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Send stdin in chunks as binary messages; write payloads raw, nothing added')
            [CompletionResult]::new('--binary', '--binary', [CompletionResultType]::ParameterName, 'Send stdin in chunks as binary messages; write payloads raw, nothing added')
            [CompletionResult]::new('--recv-only', '--recv-only', [CompletionResultType]::ParameterName, 'Ignore stdin and never close because of it: run until the peer closes')
            [CompletionResult]::new('--send-only', '--send-only', [CompletionResultType]::ParameterName, 'Write nothing that is received')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more on stderr (repeat for more detail)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more on stderr (repeat for more detail)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Show only errors and warnings on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Show only errors and warnings on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'wsctl;udp;listen' {
            [CompletionResult]::new('--multicast', '--multicast', [CompletionResultType]::ParameterName, 'Join this multicast group (IPv4 or IPv6)')
            [CompletionResult]::new('--interface', '--interface', [CompletionResultType]::ParameterName, 'The interface to join the group on (IPv4 address, or IPv6 interface name or index)')
            [CompletionResult]::new('--ttl', '--ttl', [CompletionResultType]::ParameterName, 'Time to live (hop limit) of the datagrams sent back')
            [CompletionResult]::new('--max-conns', '--max-conns', [CompletionResultType]::ParameterName, 'With --exec: run at most N senders'' commands at once; datagrams from new senders past that are dropped, with a warning [default: 100]')
            [CompletionResult]::new('--idle-timeout', '--idle-timeout', [CompletionResultType]::ParameterName, 'With --exec: end a sender''s command (its stdin closed, then stopped) after DUR without a datagram either way (0: never) [default: 60s]')
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'Run CMD through `sh -c` for each connection, wired to its stdin/stdout')
            [CompletionResult]::new('--exec', '--exec', [CompletionResultType]::ParameterName, 'Run CMD through `sh -c` for each connection, wired to its stdin/stdout')
            [CompletionResult]::new('--history', '--history', [CompletionResultType]::ParameterName, 'The prompt''s history file [default: $XDG_STATE_HOME/wsctl/history, else ~/.local/state/wsctl/history]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour status lines on stderr (auto: when stderr is a terminal and NO_COLOR is unset)')
            [CompletionResult]::new('--events', '--events', [CompletionResultType]::ParameterName, 'How status lines and events are written on stderr')
            [CompletionResult]::new('--hex-dump', '--hex-dump', [CompletionResultType]::ParameterName, 'Write what each connection sends (>) and receives (<) to FILE (- for stderr), as `hexdump -C` shows it; WebSocket and UDP a block per message; under TLS the plaintext')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'End each datagram with CRLF (and send any `\n` inside as `\r\n`), as `ncat -C` does')
            [CompletionResult]::new('--crlf', '--crlf', [CompletionResultType]::ParameterName, 'End each datagram with CRLF (and send any `\n` inside as `\r\n`), as `ncat -C` does')
            [CompletionResult]::new('--echo', '--echo', [CompletionResultType]::ParameterName, 'Send back everything that arrives, instead of using stdin/stdout')
            [CompletionResult]::new('--no-repl', '--no-repl', [CompletionResultType]::ParameterName, 'Pipe stdin/stdout plainly even on a terminal (no interactive prompt)')
            [CompletionResult]::new('-0', '-0', [CompletionResultType]::ParameterName, 'Messages are NUL-terminated records instead of lines')
            [CompletionResult]::new('--null', '--null', [CompletionResultType]::ParameterName, 'Messages are NUL-terminated records instead of lines')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Send stdin in chunks as binary messages; write payloads raw, nothing added')
            [CompletionResult]::new('--binary', '--binary', [CompletionResultType]::ParameterName, 'Send stdin in chunks as binary messages; write payloads raw, nothing added')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more on stderr (repeat for more detail)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more on stderr (repeat for more detail)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Show only errors and warnings on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Show only errors and warnings on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'wsctl;udp;help' {
            [CompletionResult]::new('send', 'send', [CompletionResultType]::ParameterValue, 'Send each stdin line to HOST PORT as one datagram and print the replies')
            [CompletionResult]::new('listen', 'listen', [CompletionResultType]::ParameterValue, 'Receive datagrams on [HOST:]PORT from every sender; stdin lines go to the most recent')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'wsctl;udp;help;send' {
            break
        }
        'wsctl;udp;help;listen' {
            break
        }
        'wsctl;udp;help;help' {
            break
        }
        'wsctl;unix' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour status lines on stderr (auto: when stderr is a terminal and NO_COLOR is unset)')
            [CompletionResult]::new('--events', '--events', [CompletionResultType]::ParameterName, 'How status lines and events are written on stderr')
            [CompletionResult]::new('--hex-dump', '--hex-dump', [CompletionResultType]::ParameterName, 'Write what each connection sends (>) and receives (<) to FILE (- for stderr), as `hexdump -C` shows it; WebSocket and UDP a block per message; under TLS the plaintext')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more on stderr (repeat for more detail)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more on stderr (repeat for more detail)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Show only errors and warnings on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Show only errors and warnings on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('connect', 'connect', [CompletionResultType]::ParameterValue, 'Connect to the Unix socket PATH (or @NAME) and pipe stdin/stdout through it')
            [CompletionResult]::new('listen', 'listen', [CompletionResultType]::ParameterValue, 'Listen on the Unix socket PATH (or @NAME) and pipe an accepted connection through stdin/stdout')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'wsctl;unix;connect' {
            [CompletionResult]::new('--linger', '--linger', [CompletionResultType]::ParameterName, 'With --dgram: after stdin EOF, wait for replies until none has come for DUR (`forever`: until interrupted) [default: 1s]')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'With --dgram: after stdin EOF, wait for replies until none has come for DUR (`forever`: until interrupted) [default: 1s]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Give up connecting after DUR (e.g. 500ms, 10s, 2m; a bare number is seconds; 0: no limit)')
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'Run CMD through `sh -c` for each connection, wired to its stdin/stdout')
            [CompletionResult]::new('--exec', '--exec', [CompletionResultType]::ParameterName, 'Run CMD through `sh -c` for each connection, wired to its stdin/stdout')
            [CompletionResult]::new('--history', '--history', [CompletionResultType]::ParameterName, 'The prompt''s history file [default: $XDG_STATE_HOME/wsctl/history, else ~/.local/state/wsctl/history]')
            [CompletionResult]::new('--send', '--send', [CompletionResultType]::ParameterName, 'Send TEXT right after connecting (repeatable, in order; a line for tcp) instead of reading stdin, then keep receiving')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'Exit 0 after N messages (lines for tcp, datagrams for udp) have been received and written, closing cleanly')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up (exit 1) when the whole run has taken DUR')
            [CompletionResult]::new('--idle-timeout', '--idle-timeout', [CompletionResultType]::ParameterName, 'Give up (exit 1) after DUR without data either way')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour status lines on stderr (auto: when stderr is a terminal and NO_COLOR is unset)')
            [CompletionResult]::new('--events', '--events', [CompletionResultType]::ParameterName, 'How status lines and events are written on stderr')
            [CompletionResult]::new('--hex-dump', '--hex-dump', [CompletionResultType]::ParameterName, 'Write what each connection sends (>) and receives (<) to FILE (- for stderr), as `hexdump -C` shows it; WebSocket and UDP a block per message; under TLS the plaintext')
            [CompletionResult]::new('--dgram', '--dgram', [CompletionResultType]::ParameterName, 'A datagram socket: each stdin line (-0 record, -b chunk) is one datagram, as with `udp send`; replies come to an autobound name of this client''s own')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Send line ends as CRLF: each `\n` not already after a `\r` goes as `\r\n`, as `ncat -C` does (with --dgram: each datagram ends with CRLF)')
            [CompletionResult]::new('--crlf', '--crlf', [CompletionResultType]::ParameterName, 'Send line ends as CRLF: each `\n` not already after a `\r` goes as `\r\n`, as `ncat -C` does (with --dgram: each datagram ends with CRLF)')
            [CompletionResult]::new('--echo', '--echo', [CompletionResultType]::ParameterName, 'Send back everything that arrives, instead of using stdin/stdout')
            [CompletionResult]::new('--no-repl', '--no-repl', [CompletionResultType]::ParameterName, 'Pipe stdin/stdout plainly even on a terminal (no interactive prompt)')
            [CompletionResult]::new('-0', '-0', [CompletionResultType]::ParameterName, 'Messages are NUL-terminated records instead of lines')
            [CompletionResult]::new('--null', '--null', [CompletionResultType]::ParameterName, 'Messages are NUL-terminated records instead of lines')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Send stdin in chunks as binary messages; write payloads raw, nothing added')
            [CompletionResult]::new('--binary', '--binary', [CompletionResultType]::ParameterName, 'Send stdin in chunks as binary messages; write payloads raw, nothing added')
            [CompletionResult]::new('--recv-only', '--recv-only', [CompletionResultType]::ParameterName, 'Ignore stdin and never close because of it: run until the peer closes')
            [CompletionResult]::new('--send-only', '--send-only', [CompletionResultType]::ParameterName, 'Write nothing that is received')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more on stderr (repeat for more detail)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more on stderr (repeat for more detail)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Show only errors and warnings on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Show only errors and warnings on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'wsctl;unix;listen' {
            [CompletionResult]::new('--mode', '--mode', [CompletionResultType]::ParameterName, 'The socket file''s permissions, in octal (660, 0600); without it the umask decides')
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'Run CMD through `sh -c` for each connection, wired to its stdin/stdout')
            [CompletionResult]::new('--exec', '--exec', [CompletionResultType]::ParameterName, 'Run CMD through `sh -c` for each connection, wired to its stdin/stdout')
            [CompletionResult]::new('--history', '--history', [CompletionResultType]::ParameterName, 'The prompt''s history file [default: $XDG_STATE_HOME/wsctl/history, else ~/.local/state/wsctl/history]')
            [CompletionResult]::new('--max-conns', '--max-conns', [CompletionResultType]::ParameterName, 'Serve at most N clients at once; more are refused (WebSocket: HTTP 503) and logged. Default with -k --exec: 100 (as ncat)')
            [CompletionResult]::new('--allow', '--allow', [CompletionResultType]::ParameterName, 'Accept clients only from this address or CIDR block (repeatable)')
            [CompletionResult]::new('--deny', '--deny', [CompletionResultType]::ParameterName, 'Close clients from this address or CIDR block at once (repeatable; wins over --allow)')
            [CompletionResult]::new('--idle-timeout', '--idle-timeout', [CompletionResultType]::ParameterName, 'Close a client''s connection after DUR without data either way (0: never). Default with -k --exec: 10m')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'Forward each client to its own upstream connection: tcp://HOST:PORT, tls://HOST:PORT, ws://..., wss://... or unix:PATH (byte streams travel as binary messages)')
            [CompletionResult]::new('--handshake-timeout', '--handshake-timeout', [CompletionResultType]::ParameterName, 'Close a client that has not finished its TLS / WebSocket handshake within DUR')
            [CompletionResult]::new('--ca', '--ca', [CompletionResultType]::ParameterName, 'Trust only the certificates in FILE (PEM, may hold several) instead of the web roots and the system''s store: CAs, or the server''s own self-signed certificate (as curl''s --cacert)')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Present this client certificate (PEM, chain allowed)')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'The private key of --cert (PEM: RSA, ECDSA or Ed25519)')
            [CompletionResult]::new('--sni', '--sni', [CompletionResultType]::ParameterName, 'The server name to send (SNI) and to check the certificate against (default: the host)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour status lines on stderr (auto: when stderr is a terminal and NO_COLOR is unset)')
            [CompletionResult]::new('--events', '--events', [CompletionResultType]::ParameterName, 'How status lines and events are written on stderr')
            [CompletionResult]::new('--hex-dump', '--hex-dump', [CompletionResultType]::ParameterName, 'Write what each connection sends (>) and receives (<) to FILE (- for stderr), as `hexdump -C` shows it; WebSocket and UDP a block per message; under TLS the plaintext')
            [CompletionResult]::new('--dgram', '--dgram', [CompletionResultType]::ParameterName, 'A datagram socket, served as `udp listen` serves: datagrams from every sender to stdout, stdin''s records to the most recent sender (--echo: each straight back; --exec: one command per sender)')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Send line ends as CRLF: each `\n` not already after a `\r` goes as `\r\n` (typed lines, stdin, a command''s output), as `ncat -C` does (with --dgram: each datagram ends with CRLF)')
            [CompletionResult]::new('--crlf', '--crlf', [CompletionResultType]::ParameterName, 'Send line ends as CRLF: each `\n` not already after a `\r` goes as `\r\n` (typed lines, stdin, a command''s output), as `ncat -C` does (with --dgram: each datagram ends with CRLF)')
            [CompletionResult]::new('--echo', '--echo', [CompletionResultType]::ParameterName, 'Send back everything that arrives, instead of using stdin/stdout')
            [CompletionResult]::new('--no-repl', '--no-repl', [CompletionResultType]::ParameterName, 'Pipe stdin/stdout plainly even on a terminal (no interactive prompt)')
            [CompletionResult]::new('-0', '-0', [CompletionResultType]::ParameterName, 'Messages are NUL-terminated records instead of lines')
            [CompletionResult]::new('--null', '--null', [CompletionResultType]::ParameterName, 'Messages are NUL-terminated records instead of lines')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Send stdin in chunks as binary messages; write payloads raw, nothing added')
            [CompletionResult]::new('--binary', '--binary', [CompletionResultType]::ParameterName, 'Send stdin in chunks as binary messages; write payloads raw, nothing added')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Keep listening after a connection ends: with --echo or --exec, clients are served at once; with stdin/stdout, one after another')
            [CompletionResult]::new('--keep-open', '--keep-open', [CompletionResultType]::ParameterName, 'Keep listening after a connection ends: with --echo or --exec, clients are served at once; with stdin/stdout, one after another')
            [CompletionResult]::new('--broadcast', '--broadcast', [CompletionResultType]::ParameterName, 'With stdin/stdout: serve clients at once, send each stdin line to all of them, and write every client''s lines to stdout (implies -k)')
            [CompletionResult]::new('--chat', '--chat', [CompletionResultType]::ParameterName, 'Like --broadcast, and each client''s lines also go to every other client')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not check the server''s certificate (unsafe; says so on stderr)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more on stderr (repeat for more detail)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more on stderr (repeat for more detail)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Show only errors and warnings on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Show only errors and warnings on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'wsctl;unix;help' {
            [CompletionResult]::new('connect', 'connect', [CompletionResultType]::ParameterValue, 'Connect to the Unix socket PATH (or @NAME) and pipe stdin/stdout through it')
            [CompletionResult]::new('listen', 'listen', [CompletionResultType]::ParameterValue, 'Listen on the Unix socket PATH (or @NAME) and pipe an accepted connection through stdin/stdout')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'wsctl;unix;help;connect' {
            break
        }
        'wsctl;unix;help;listen' {
            break
        }
        'wsctl;unix;help;help' {
            break
        }
        'wsctl;completions' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour status lines on stderr (auto: when stderr is a terminal and NO_COLOR is unset)')
            [CompletionResult]::new('--events', '--events', [CompletionResultType]::ParameterName, 'How status lines and events are written on stderr')
            [CompletionResult]::new('--hex-dump', '--hex-dump', [CompletionResultType]::ParameterName, 'Write what each connection sends (>) and receives (<) to FILE (- for stderr), as `hexdump -C` shows it; WebSocket and UDP a block per message; under TLS the plaintext')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more on stderr (repeat for more detail)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more on stderr (repeat for more detail)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Show only errors and warnings on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Show only errors and warnings on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'wsctl;help' {
            [CompletionResult]::new('tcp', 'tcp', [CompletionResultType]::ParameterValue, 'TCP client and server')
            [CompletionResult]::new('ws', 'ws', [CompletionResultType]::ParameterValue, 'WebSocket client and server (RFC 6455)')
            [CompletionResult]::new('udp', 'udp', [CompletionResultType]::ParameterValue, 'UDP: datagrams to and from stdin/stdout')
            [CompletionResult]::new('unix', 'unix', [CompletionResultType]::ParameterValue, 'Unix domain sockets: streams, and datagrams with --dgram')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a completion script for SHELL on stdout')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'wsctl;help;tcp' {
            [CompletionResult]::new('connect', 'connect', [CompletionResultType]::ParameterValue, 'Connect to HOST PORT (or HOST:PORT, [IPv6]:PORT) and pipe stdin/stdout through it')
            [CompletionResult]::new('listen', 'listen', [CompletionResultType]::ParameterValue, 'Listen on [HOST:]PORT and pipe an accepted connection through stdin/stdout')
            break
        }
        'wsctl;help;tcp;connect' {
            break
        }
        'wsctl;help;tcp;listen' {
            break
        }
        'wsctl;help;ws' {
            [CompletionResult]::new('connect', 'connect', [CompletionResultType]::ParameterValue, 'Connect to URL (ws:// or wss://HOST[:PORT]/PATH) and pipe stdin/stdout through it')
            [CompletionResult]::new('listen', 'listen', [CompletionResultType]::ParameterValue, 'Listen on [HOST:]PORT for WebSocket clients and pipe one through stdin/stdout')
            break
        }
        'wsctl;help;ws;connect' {
            break
        }
        'wsctl;help;ws;listen' {
            break
        }
        'wsctl;help;udp' {
            [CompletionResult]::new('send', 'send', [CompletionResultType]::ParameterValue, 'Send each stdin line to HOST PORT as one datagram and print the replies')
            [CompletionResult]::new('listen', 'listen', [CompletionResultType]::ParameterValue, 'Receive datagrams on [HOST:]PORT from every sender; stdin lines go to the most recent')
            break
        }
        'wsctl;help;udp;send' {
            break
        }
        'wsctl;help;udp;listen' {
            break
        }
        'wsctl;help;unix' {
            [CompletionResult]::new('connect', 'connect', [CompletionResultType]::ParameterValue, 'Connect to the Unix socket PATH (or @NAME) and pipe stdin/stdout through it')
            [CompletionResult]::new('listen', 'listen', [CompletionResultType]::ParameterValue, 'Listen on the Unix socket PATH (or @NAME) and pipe an accepted connection through stdin/stdout')
            break
        }
        'wsctl;help;unix;connect' {
            break
        }
        'wsctl;help;unix;listen' {
            break
        }
        'wsctl;help;completions' {
            break
        }
        'wsctl;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
