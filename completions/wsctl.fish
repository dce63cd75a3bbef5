# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_wsctl_global_optspecs
    string join \n v/verbose q/quiet color= events= hex-dump= h/help V/version
end

function __fish_wsctl_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_wsctl_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_wsctl_using_subcommand
    set -l cmd (__fish_wsctl_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c wsctl -n "__fish_wsctl_needs_command" -l color -d 'Colour status lines on stderr (auto: when stderr is a terminal and NO_COLOR is unset)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wsctl -n "__fish_wsctl_needs_command" -l events -d 'How status lines and events are written on stderr' -r -f -a "text\t'Status lines for people'
json\t'One JSON object per line'"
complete -c wsctl -n "__fish_wsctl_needs_command" -l hex-dump -d 'Write what each connection sends (>) and receives (<) to FILE (- for stderr), as `hexdump -C` shows it; WebSocket and UDP a block per message; under TLS the plaintext' -r -F
complete -c wsctl -n "__fish_wsctl_needs_command" -s v -l verbose -d 'Show more on stderr (repeat for more detail)'
complete -c wsctl -n "__fish_wsctl_needs_command" -s q -l quiet -d 'Show only errors and warnings on stderr'
complete -c wsctl -n "__fish_wsctl_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wsctl -n "__fish_wsctl_needs_command" -s V -l version -d 'Print version'
complete -c wsctl -n "__fish_wsctl_needs_command" -f -a "tcp" -d 'TCP client and server'
complete -c wsctl -n "__fish_wsctl_needs_command" -f -a "ws" -d 'WebSocket client and server (RFC 6455)'
complete -c wsctl -n "__fish_wsctl_needs_command" -f -a "udp" -d 'UDP: datagrams to and from stdin/stdout'
complete -c wsctl -n "__fish_wsctl_needs_command" -f -a "unix" -d 'Unix domain sockets: streams, and datagrams with --dgram'
complete -c wsctl -n "__fish_wsctl_needs_command" -f -a "completions" -d 'Print a completion script for SHELL on stdout'
complete -c wsctl -n "__fish_wsctl_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c wsctl -n "__fish_wsctl_using_subcommand tcp; and not __fish_seen_subcommand_from connect listen help" -l color -d 'Colour status lines on stderr (auto: when stderr is a terminal and NO_COLOR is unset)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wsctl -n "__fish_wsctl_using_subcommand tcp; and not __fish_seen_subcommand_from connect listen help" -l events -d 'How status lines and events are written on stderr' -r -f -a "text\t'Status lines for people'
json\t'One JSON object per line'"
complete -c wsctl -n "__fish_wsctl_using_subcommand tcp; and not __fish_seen_subcommand_from connect listen help" -l hex-dump -d 'Write what each connection sends (>) and receives (<) to FILE (- for stderr), as `hexdump -C` shows it; WebSocket and UDP a block per message; under TLS the plaintext' -r -F
complete -c wsctl -n "__fish_wsctl_using_subcommand tcp; and not __fish_seen_subcommand_from connect listen help" -s v -l verbose -d 'Show more on stderr (repeat for more detail)'
complete -c wsctl -n "__fish_wsctl_using_subcommand tcp; and not __fish_seen_subcommand_from connect listen help" -s q -l quiet -d 'Show only errors and warnings on stderr'
complete -c wsctl -n "__fish_wsctl_using_subcommand tcp; and not __fish_seen_subcommand_from connect listen help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wsctl -n "__fish_wsctl_using_subcommand tcp; and not __fish_seen_subcommand_from connect listen help" -s V -l version -d 'Print version'
complete -c wsctl -n "__fish_wsctl_using_subcommand tcp; and not __fish_seen_subcommand_from connect listen help" -f -a "connect" -d 'Connect to HOST PORT (or HOST:PORT, [IPv6]:PORT) and pipe stdin/stdout through it'
complete -c wsctl -n "__fish_wsctl_using_subcommand tcp; and not __fish_seen_subcommand_from connect listen help" -f -a "listen" -d 'Listen on [HOST:]PORT and pipe an accepted connection through stdin/stdout'
complete -c wsctl -n "__fish_wsctl_using_subcommand tcp; and not __fish_seen_subcommand_from connect listen help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c wsctl -n "__fish_wsctl_using_subcommand tcp; and __fish_seen_subcommand_from connect" -s s -l source -d 'Bind the local end to ADDR (one of this machine\'s addresses) before connecting (over UDP, sending), as `ncat -s`' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand tcp; and __fish_seen_subcommand_from connect" -l source-port -d 'Bind the local end to PORT before connecting (over UDP, sending), as `ncat -p`' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand tcp; and __fish_seen_subcommand_from connect" -s e -l exec -d 'Run CMD through `sh -c` for each connection, wired to its stdin/stdout' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand tcp; and __fish_seen_subcommand_from connect" -l history -d 'The prompt\'s history file [default: $XDG_STATE_HOME/wsctl/history, else ~/.local/state/wsctl/history]' -r -F
complete -c wsctl -n "__fish_wsctl_using_subcommand tcp; and __fish_seen_subcommand_from connect" -l connect-timeout -d 'Give up connecting after DUR (e.g. 500ms, 10s, 2m; 0: no limit)' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand tcp; and __fish_seen_subcommand_from connect" -l retries -d 'With --reconnect: give up after N failed attempts in a row (default: never)' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand tcp; and __fish_seen_subcommand_from connect" -l proxy -d 'Connect through this proxy: http://[USER:PASS@]HOST:PORT (CONNECT) or socks5://[USER:PASS@]HOST:PORT (the proxy resolves names); default from https_proxy/http_proxy/all_proxy unless no_proxy names the host' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand tcp; and __fish_seen_subcommand_from connect" -l reconnect-max-delay -d 'With --reconnect: the longest wait between attempts' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand tcp; and __fish_seen_subcommand_from connect" -l ca -d 'Trust only the certificates in FILE (PEM, may hold several) instead of the web roots and the system\'s store: CAs, or the server\'s own self-signed certificate (as curl\'s --cacert)' -r -F
complete -c wsctl -n "__fish_wsctl_using_subcommand tcp; and __fish_seen_subcommand_from connect" -l cert -d 'Present this client certificate (PEM, chain allowed)' -r -F
complete -c wsctl -n "__fish_wsctl_using_subcommand tcp; and __fish_seen_subcommand_from connect" -l key -d 'The private key of --cert (PEM: RSA, ECDSA or Ed25519)' -r -F
complete -c wsctl -n "__fish_wsctl_using_subcommand tcp; and __fish_seen_subcommand_from connect" -l sni -d 'The server name to send (SNI) and to check the certificate against (default: the host)' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand tcp; and __fish_seen_subcommand_from connect" -l send -d 'Send TEXT right after connecting (repeatable, in order; a line for tcp) instead of reading stdin, then keep receiving' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand tcp; and __fish_seen_subcommand_from connect" -l count -d 'Exit 0 after N messages (lines for tcp, datagrams for udp) have been received and written, closing cleanly' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand tcp; and __fish_seen_subcommand_from connect" -l timeout -d 'Give up (exit 1) when the whole run has taken DUR' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand tcp; and __fish_seen_subcommand_from connect" -l idle-timeout -d 'Give up (exit 1) after DUR without data either way' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand tcp; and __fish_seen_subcommand_from connect" -l color -d 'Colour status lines on stderr (auto: when stderr is a terminal and NO_COLOR is unset)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wsctl -n "__fish_wsctl_using_subcommand tcp; and __fish_seen_subcommand_from connect" -l events -d 'How status lines and events are written on stderr' -r -f -a "text\t'Status lines for people'
json\t'One JSON object per line'"
complete -c wsctl -n "__fish_wsctl_using_subcommand tcp; and __fish_seen_subcommand_from connect" -l hex-dump -d 'Write what each connection sends (>) and receives (<) to FILE (- for stderr), as `hexdump -C` shows it; WebSocket and UDP a block per message; under TLS the plaintext' -r -F
complete -c wsctl -n "__fish_wsctl_using_subcommand tcp; and __fish_seen_subcommand_from connect" -s z -l scan -d 'Scan: connect to each of the ports and close at once, sending nothing; print `HOST:PORT open` for each that accepts (exit 0 if any does, 3 if none), as `nc -z`'
complete -c wsctl -n "__fish_wsctl_using_subcommand tcp; and __fish_seen_subcommand_from connect" -l tls -d 'Speak TLS to the server (verified as for wss://)'
complete -c wsctl -n "__fish_wsctl_using_subcommand tcp; and __fish_seen_subcommand_from connect" -s C -l crlf -d 'Send line ends as CRLF: each `\\n` not already after a `\\r` goes as `\\r\\n` (typed lines, stdin, a command\'s output, --send), as `ncat -C` does'
complete -c wsctl -n "__fish_wsctl_using_subcommand tcp; and __fish_seen_subcommand_from connect" -l echo -d 'Send back everything that arrives, instead of using stdin/stdout'
complete -c wsctl -n "__fish_wsctl_using_subcommand tcp; and __fish_seen_subcommand_from connect" -l no-repl -d 'Pipe stdin/stdout plainly even on a terminal (no interactive prompt)'
complete -c wsctl -n "__fish_wsctl_using_subcommand tcp; and __fish_seen_subcommand_from connect" -l reconnect -d 'Connect again when the connection fails or ends (exponential backoff with jitter), until stdin ends'
complete -c wsctl -n "__fish_wsctl_using_subcommand tcp; and __fish_seen_subcommand_from connect" -l insecure -d 'Do not check the server\'s certificate (unsafe; says so on stderr)'
complete -c wsctl -n "__fish_wsctl_using_subcommand tcp; and __fish_seen_subcommand_from connect" -l recv-only -d 'Ignore stdin and never close because of it: run until the peer closes'
complete -c wsctl -n "__fish_wsctl_using_subcommand tcp; and __fish_seen_subcommand_from connect" -l send-only -d 'Write nothing that is received'
complete -c wsctl -n "__fish_wsctl_using_subcommand tcp; and __fish_seen_subcommand_from connect" -s v -l verbose -d 'Show more on stderr (repeat for more detail)'
complete -c wsctl -n "__fish_wsctl_using_subcommand tcp; and __fish_seen_subcommand_from connect" -s q -l quiet -d 'Show only errors and warnings on stderr'
complete -c wsctl -n "__fish_wsctl_using_subcommand tcp; and __fish_seen_subcommand_from connect" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wsctl -n "__fish_wsctl_using_subcommand tcp; and __fish_seen_subcommand_from connect" -s V -l version -d 'Print version'
complete -c wsctl -n "__fish_wsctl_using_subcommand tcp; and __fish_seen_subcommand_from listen" -s e -l exec -d 'Run CMD through `sh -c` for each connection, wired to its stdin/stdout' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand tcp; and __fish_seen_subcommand_from listen" -l history -d 'The prompt\'s history file [default: $XDG_STATE_HOME/wsctl/history, else ~/.local/state/wsctl/history]' -r -F
complete -c wsctl -n "__fish_wsctl_using_subcommand tcp; and __fish_seen_subcommand_from listen" -l max-conns -d 'Serve at most N clients at once; more are refused (WebSocket: HTTP 503) and logged. Default with -k --exec: 100 (as ncat)' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand tcp; and __fish_seen_subcommand_from listen" -l allow -d 'Accept clients only from this address or CIDR block (repeatable)' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand tcp; and __fish_seen_subcommand_from listen" -l deny -d 'Close clients from this address or CIDR block at once (repeatable; wins over --allow)' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand tcp; and __fish_seen_subcommand_from listen" -l idle-timeout -d 'Close a client\'s connection after DUR without data either way (0: never). Default with -k --exec: 10m' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand tcp; and __fish_seen_subcommand_from listen" -l to -d 'Forward each client to its own upstream connection: tcp://HOST:PORT, tls://HOST:PORT, ws://..., wss://... or unix:PATH (byte streams travel as binary messages)' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand tcp; and __fish_seen_subcommand_from listen" -l handshake-timeout -d 'Close a client that has not finished its TLS / WebSocket handshake within DUR' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand tcp; and __fish_seen_subcommand_from listen" -l tls-cert -d 'Serve TLS with this certificate (PEM, chain allowed); needs --tls-key' -r -F
complete -c wsctl -n "__fish_wsctl_using_subcommand tcp; and __fish_seen_subcommand_from listen" -l tls-key -d 'The private key of --tls-cert (PEM: RSA, ECDSA or Ed25519)' -r -F
complete -c wsctl -n "__fish_wsctl_using_subcommand tcp; and __fish_seen_subcommand_from listen" -l client-ca -d 'Require client certificates issued by the CAs in FILE (PEM)' -r -F
complete -c wsctl -n "__fish_wsctl_using_subcommand tcp; and __fish_seen_subcommand_from listen" -l ca -d 'Trust only the certificates in FILE (PEM, may hold several) instead of the web roots and the system\'s store: CAs, or the server\'s own self-signed certificate (as curl\'s --cacert)' -r -F
complete -c wsctl -n "__fish_wsctl_using_subcommand tcp; and __fish_seen_subcommand_from listen" -l cert -d 'Present this client certificate (PEM, chain allowed)' -r -F
complete -c wsctl -n "__fish_wsctl_using_subcommand tcp; and __fish_seen_subcommand_from listen" -l key -d 'The private key of --cert (PEM: RSA, ECDSA or Ed25519)' -r -F
complete -c wsctl -n "__fish_wsctl_using_subcommand tcp; and __fish_seen_subcommand_from listen" -l sni -d 'The server name to send (SNI) and to check the certificate against (default: the host)' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand tcp; and __fish_seen_subcommand_from listen" -l color -d 'Colour status lines on stderr (auto: when stderr is a terminal and NO_COLOR is unset)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wsctl -n "__fish_wsctl_using_subcommand tcp; and __fish_seen_subcommand_from listen" -l events -d 'How status lines and events are written on stderr' -r -f -a "text\t'Status lines for people'
json\t'One JSON object per line'"
complete -c wsctl -n "__fish_wsctl_using_subcommand tcp; and __fish_seen_subcommand_from listen" -l hex-dump -d 'Write what each connection sends (>) and receives (<) to FILE (- for stderr), as `hexdump -C` shows it; WebSocket and UDP a block per message; under TLS the plaintext' -r -F
complete -c wsctl -n "__fish_wsctl_using_subcommand tcp; and __fish_seen_subcommand_from listen" -s C -l crlf -d 'Send line ends as CRLF: each `\\n` not already after a `\\r` goes as `\\r\\n` (typed lines, stdin, a command\'s output), as `ncat -C` does'
complete -c wsctl -n "__fish_wsctl_using_subcommand tcp; and __fish_seen_subcommand_from listen" -l echo -d 'Send back everything that arrives, instead of using stdin/stdout'
complete -c wsctl -n "__fish_wsctl_using_subcommand tcp; and __fish_seen_subcommand_from listen" -l no-repl -d 'Pipe stdin/stdout plainly even on a terminal (no interactive prompt)'
complete -c wsctl -n "__fish_wsctl_using_subcommand tcp; and __fish_seen_subcommand_from listen" -s k -l keep-open -d 'Keep listening after a connection ends: with --echo or --exec, clients are served at once; with stdin/stdout, one after another'
complete -c wsctl -n "__fish_wsctl_using_subcommand tcp; and __fish_seen_subcommand_from listen" -l broadcast -d 'With stdin/stdout: serve clients at once, send each stdin line to all of them, and write every client\'s lines to stdout (implies -k)'
complete -c wsctl -n "__fish_wsctl_using_subcommand tcp; and __fish_seen_subcommand_from listen" -l chat -d 'Like --broadcast, and each client\'s lines also go to every other client'
complete -c wsctl -n "__fish_wsctl_using_subcommand tcp; and __fish_seen_subcommand_from listen" -l tls-self-signed -d 'Serve TLS with a fresh self-signed certificate for localhost and the listen address (its SHA-256 fingerprint is shown on stderr)'
complete -c wsctl -n "__fish_wsctl_using_subcommand tcp; and __fish_seen_subcommand_from listen" -l insecure -d 'Do not check the server\'s certificate (unsafe; says so on stderr)'
complete -c wsctl -n "__fish_wsctl_using_subcommand tcp; and __fish_seen_subcommand_from listen" -s v -l verbose -d 'Show more on stderr (repeat for more detail)'
complete -c wsctl -n "__fish_wsctl_using_subcommand tcp; and __fish_seen_subcommand_from listen" -s q -l quiet -d 'Show only errors and warnings on stderr'
complete -c wsctl -n "__fish_wsctl_using_subcommand tcp; and __fish_seen_subcommand_from listen" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wsctl -n "__fish_wsctl_using_subcommand tcp; and __fish_seen_subcommand_from listen" -s V -l version -d 'Print version'
complete -c wsctl -n "__fish_wsctl_using_subcommand tcp; and __fish_seen_subcommand_from help" -f -a "connect" -d 'Connect to HOST PORT (or HOST:PORT, [IPv6]:PORT) and pipe stdin/stdout through it'
complete -c wsctl -n "__fish_wsctl_using_subcommand tcp; and __fish_seen_subcommand_from help" -f -a "listen" -d 'Listen on [HOST:]PORT and pipe an accepted connection through stdin/stdout'
complete -c wsctl -n "__fish_wsctl_using_subcommand tcp; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and not __fish_seen_subcommand_from connect listen help" -l color -d 'Colour status lines on stderr (auto: when stderr is a terminal and NO_COLOR is unset)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and not __fish_seen_subcommand_from connect listen help" -l events -d 'How status lines and events are written on stderr' -r -f -a "text\t'Status lines for people'
json\t'One JSON object per line'"
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and not __fish_seen_subcommand_from connect listen help" -l hex-dump -d 'Write what each connection sends (>) and receives (<) to FILE (- for stderr), as `hexdump -C` shows it; WebSocket and UDP a block per message; under TLS the plaintext' -r -F
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and not __fish_seen_subcommand_from connect listen help" -s v -l verbose -d 'Show more on stderr (repeat for more detail)'
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and not __fish_seen_subcommand_from connect listen help" -s q -l quiet -d 'Show only errors and warnings on stderr'
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and not __fish_seen_subcommand_from connect listen help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and not __fish_seen_subcommand_from connect listen help" -s V -l version -d 'Print version'
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and not __fish_seen_subcommand_from connect listen help" -f -a "connect" -d 'Connect to URL (ws:// or wss://HOST[:PORT]/PATH) and pipe stdin/stdout through it'
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and not __fish_seen_subcommand_from connect listen help" -f -a "listen" -d 'Listen on [HOST:]PORT for WebSocket clients and pipe one through stdin/stdout'
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and not __fish_seen_subcommand_from connect listen help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from connect" -s H -l header -d 'Extra request header \'Name: value\' (repeatable; may override Host)' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from connect" -l protocol -d 'Offer this subprotocol (repeatable, in order of preference)' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from connect" -l origin -d 'Send this Origin header' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from connect" -l auth -d 'Send Basic authentication' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from connect" -l unix-socket -d 'Connect to the Unix socket PATH (or @NAME) instead of the URL\'s host, which still gives the Host header and the path, as curl\'s --unix-socket' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from connect" -s e -l exec -d 'Run CMD through `sh -c` for each connection, wired to its stdin/stdout' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from connect" -l history -d 'The prompt\'s history file [default: $XDG_STATE_HOME/wsctl/history, else ~/.local/state/wsctl/history]' -r -F
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from connect" -l ping-interval -d 'Send a ping every DUR and show the round-trip time with -v' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from connect" -l ping-timeout -d 'End the connection when a ping has had no pong for DUR' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from connect" -l close-code -d 'The close code sent when our side ends' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from connect" -l close-reason -d 'The close reason sent when our side ends (at most 123 bytes)' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from connect" -l close-timeout -d 'How long to wait for the peer\'s Close after sending ours (not while the peer is still taking the data sent before it)' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from connect" -l linger -d 'After the end of input, close once the peer has sent nothing for DUR (0: at once; `forever`: wait for the peer\'s Close). Default: 1s for a client and a --to bridge; a listener waits for the client\'s Close; --exec closes at once' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from connect" -l max-message-size -d 'The largest message accepted (and sent); a bigger one closes with 1009. A message is held whole, so at most the machine\'s memory' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from connect" -l connect-timeout -d 'Give up connecting after DUR (e.g. 500ms, 10s, 2m; 0: no limit)' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from connect" -l retries -d 'With --reconnect: give up after N failed attempts in a row (default: never)' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from connect" -l proxy -d 'Connect through this proxy: http://[USER:PASS@]HOST:PORT (CONNECT) or socks5://[USER:PASS@]HOST:PORT (the proxy resolves names); default from https_proxy/http_proxy/all_proxy unless no_proxy names the host' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from connect" -l reconnect-max-delay -d 'With --reconnect: the longest wait between attempts' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from connect" -l ca -d 'Trust only the certificates in FILE (PEM, may hold several) instead of the web roots and the system\'s store: CAs, or the server\'s own self-signed certificate (as curl\'s --cacert)' -r -F
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from connect" -l cert -d 'Present this client certificate (PEM, chain allowed)' -r -F
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from connect" -l key -d 'The private key of --cert (PEM: RSA, ECDSA or Ed25519)' -r -F
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from connect" -l sni -d 'The server name to send (SNI) and to check the certificate against (default: the host)' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from connect" -l send -d 'Send TEXT right after connecting (repeatable, in order; a line for tcp) instead of reading stdin, then keep receiving' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from connect" -l count -d 'Exit 0 after N messages (lines for tcp, datagrams for udp) have been received and written, closing cleanly' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from connect" -l timeout -d 'Give up (exit 1) when the whole run has taken DUR' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from connect" -l idle-timeout -d 'Give up (exit 1) after DUR without data either way' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from connect" -l color -d 'Colour status lines on stderr (auto: when stderr is a terminal and NO_COLOR is unset)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from connect" -l events -d 'How status lines and events are written on stderr' -r -f -a "text\t'Status lines for people'
json\t'One JSON object per line'"
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from connect" -l hex-dump -d 'Write what each connection sends (>) and receives (<) to FILE (- for stderr), as `hexdump -C` shows it; WebSocket and UDP a block per message; under TLS the plaintext' -r -F
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from connect" -s L -l location -d 'Follow redirects (3xx), at most 5, never from wss:// down to ws://; credentials (--auth, Authorization and Cookie headers) are dropped when the host changes, as curl does'
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from connect" -l echo -d 'Send back everything that arrives, instead of using stdin/stdout'
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from connect" -l no-repl -d 'Pipe stdin/stdout plainly even on a terminal (no interactive prompt)'
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from connect" -s 0 -l null -d 'Messages are NUL-terminated records instead of lines'
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from connect" -s b -l binary -d 'Send stdin in chunks as binary messages; write payloads raw, nothing added'
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from connect" -l deflate -d 'Compress messages with permessage-deflate (RFC 7692): ws connect offers it, ws listen accepts a client\'s offer (and offers it to a --to ws:// upstream)'
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from connect" -l reconnect -d 'Connect again when the connection fails or ends (exponential backoff with jitter), until stdin ends'
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from connect" -l insecure -d 'Do not check the server\'s certificate (unsafe; says so on stderr)'
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from connect" -l recv-only -d 'Ignore stdin and never close because of it: run until the peer closes'
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from connect" -l send-only -d 'Write nothing that is received'
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from connect" -s v -l verbose -d 'Show more on stderr (repeat for more detail)'
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from connect" -s q -l quiet -d 'Show only errors and warnings on stderr'
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from connect" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from connect" -s V -l version -d 'Print version'
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from listen" -l mode -d 'The socket file\'s permissions, in octal (660, 0600), for `unix:PATH`; without it the umask decides' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from listen" -l path -d 'Accept WebSocket requests only for this path (others get 404)' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from listen" -l protocol -d 'A subprotocol this server speaks (repeatable, in order of preference): the first one the client offers is selected' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from listen" -s e -l exec -d 'Run CMD through `sh -c` for each connection, wired to its stdin/stdout' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from listen" -l history -d 'The prompt\'s history file [default: $XDG_STATE_HOME/wsctl/history, else ~/.local/state/wsctl/history]' -r -F
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from listen" -l ping-interval -d 'Send a ping every DUR and show the round-trip time with -v' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from listen" -l ping-timeout -d 'End the connection when a ping has had no pong for DUR' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from listen" -l close-code -d 'The close code sent when our side ends' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from listen" -l close-reason -d 'The close reason sent when our side ends (at most 123 bytes)' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from listen" -l close-timeout -d 'How long to wait for the peer\'s Close after sending ours (not while the peer is still taking the data sent before it)' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from listen" -l linger -d 'After the end of input, close once the peer has sent nothing for DUR (0: at once; `forever`: wait for the peer\'s Close). Default: 1s for a client and a --to bridge; a listener waits for the client\'s Close; --exec closes at once' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from listen" -l max-message-size -d 'The largest message accepted (and sent); a bigger one closes with 1009. A message is held whole, so at most the machine\'s memory' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from listen" -l max-conns -d 'Serve at most N clients at once; more are refused (WebSocket: HTTP 503) and logged. Default with -k --exec: 100 (as ncat)' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from listen" -l allow -d 'Accept clients only from this address or CIDR block (repeatable)' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from listen" -l deny -d 'Close clients from this address or CIDR block at once (repeatable; wins over --allow)' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from listen" -l idle-timeout -d 'Close a client\'s connection after DUR without data either way (0: never). Default with -k --exec: 10m' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from listen" -l to -d 'Forward each client to its own upstream connection: tcp://HOST:PORT, tls://HOST:PORT, ws://..., wss://... or unix:PATH (byte streams travel as binary messages)' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from listen" -l handshake-timeout -d 'Close a client that has not finished its TLS / WebSocket handshake within DUR' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from listen" -l tls-cert -d 'Serve TLS with this certificate (PEM, chain allowed); needs --tls-key' -r -F
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from listen" -l tls-key -d 'The private key of --tls-cert (PEM: RSA, ECDSA or Ed25519)' -r -F
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from listen" -l client-ca -d 'Require client certificates issued by the CAs in FILE (PEM)' -r -F
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from listen" -l ca -d 'Trust only the certificates in FILE (PEM, may hold several) instead of the web roots and the system\'s store: CAs, or the server\'s own self-signed certificate (as curl\'s --cacert)' -r -F
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from listen" -l cert -d 'Present this client certificate (PEM, chain allowed)' -r -F
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from listen" -l key -d 'The private key of --cert (PEM: RSA, ECDSA or Ed25519)' -r -F
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from listen" -l sni -d 'The server name to send (SNI) and to check the certificate against (default: the host)' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from listen" -l color -d 'Colour status lines on stderr (auto: when stderr is a terminal and NO_COLOR is unset)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from listen" -l events -d 'How status lines and events are written on stderr' -r -f -a "text\t'Status lines for people'
json\t'One JSON object per line'"
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from listen" -l hex-dump -d 'Write what each connection sends (>) and receives (<) to FILE (- for stderr), as `hexdump -C` shows it; WebSocket and UDP a block per message; under TLS the plaintext' -r -F
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from listen" -l echo -d 'Send back everything that arrives, instead of using stdin/stdout'
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from listen" -l no-repl -d 'Pipe stdin/stdout plainly even on a terminal (no interactive prompt)'
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from listen" -s 0 -l null -d 'Messages are NUL-terminated records instead of lines'
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from listen" -s b -l binary -d 'Send stdin in chunks as binary messages; write payloads raw, nothing added'
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from listen" -l deflate -d 'Compress messages with permessage-deflate (RFC 7692): ws connect offers it, ws listen accepts a client\'s offer (and offers it to a --to ws:// upstream)'
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from listen" -s k -l keep-open -d 'Keep listening after a connection ends: with --echo or --exec, clients are served at once; with stdin/stdout, one after another'
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from listen" -l broadcast -d 'With stdin/stdout: serve clients at once, send each stdin line to all of them, and write every client\'s lines to stdout (implies -k)'
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from listen" -l chat -d 'Like --broadcast, and each client\'s lines also go to every other client'
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from listen" -l tls-self-signed -d 'Serve TLS with a fresh self-signed certificate for localhost and the listen address (its SHA-256 fingerprint is shown on stderr)'
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from listen" -l insecure -d 'Do not check the server\'s certificate (unsafe; says so on stderr)'
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from listen" -s v -l verbose -d 'Show more on stderr (repeat for more detail)'
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from listen" -s q -l quiet -d 'Show only errors and warnings on stderr'
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from listen" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from listen" -s V -l version -d 'Print version'
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from help" -f -a "connect" -d 'Connect to URL (ws:// or wss://HOST[:PORT]/PATH) and pipe stdin/stdout through it'
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from help" -f -a "listen" -d 'Listen on [HOST:]PORT for WebSocket clients and pipe one through stdin/stdout'
complete -c wsctl -n "__fish_wsctl_using_subcommand ws; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and not __fish_seen_subcommand_from send connect listen help" -l color -d 'Colour status lines on stderr (auto: when stderr is a terminal and NO_COLOR is unset)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and not __fish_seen_subcommand_from send connect listen help" -l events -d 'How status lines and events are written on stderr' -r -f -a "text\t'Status lines for people'
json\t'One JSON object per line'"
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and not __fish_seen_subcommand_from send connect listen help" -l hex-dump -d 'Write what each connection sends (>) and receives (<) to FILE (- for stderr), as `hexdump -C` shows it; WebSocket and UDP a block per message; under TLS the plaintext' -r -F
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and not __fish_seen_subcommand_from send connect listen help" -s v -l verbose -d 'Show more on stderr (repeat for more detail)'
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and not __fish_seen_subcommand_from send connect listen help" -s q -l quiet -d 'Show only errors and warnings on stderr'
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and not __fish_seen_subcommand_from send connect listen help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and not __fish_seen_subcommand_from send connect listen help" -s V -l version -d 'Print version'
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and not __fish_seen_subcommand_from send connect listen help" -f -a "send" -d 'Send each stdin line to HOST PORT as one datagram and print the replies'
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and not __fish_seen_subcommand_from send connect listen help" -f -a "connect" -d 'Send each stdin line to HOST PORT as one datagram and print the replies'
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and not __fish_seen_subcommand_from send connect listen help" -f -a "listen" -d 'Receive datagrams on [HOST:]PORT from every sender; stdin lines go to the most recent'
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and not __fish_seen_subcommand_from send connect listen help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and __fish_seen_subcommand_from send" -l linger -l wait -d 'After stdin EOF, wait for replies until none has come for DUR (`forever`: until interrupted)' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and __fish_seen_subcommand_from send" -l ttl -d 'Time to live (hop limit) of the datagrams sent, unicast and multicast' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and __fish_seen_subcommand_from send" -l interface -d 'For a multicast destination: the interface to send on (IPv4 address, or IPv6 interface name or index)' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and __fish_seen_subcommand_from send" -s s -l source -d 'Bind the local end to ADDR (one of this machine\'s addresses) before connecting (over UDP, sending), as `ncat -s`' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and __fish_seen_subcommand_from send" -l source-port -d 'Bind the local end to PORT before connecting (over UDP, sending), as `ncat -p`' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and __fish_seen_subcommand_from send" -s e -l exec -d 'Run CMD through `sh -c` for each connection, wired to its stdin/stdout' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and __fish_seen_subcommand_from send" -l history -d 'The prompt\'s history file [default: $XDG_STATE_HOME/wsctl/history, else ~/.local/state/wsctl/history]' -r -F
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and __fish_seen_subcommand_from send" -l send -d 'Send TEXT right after connecting (repeatable, in order; a line for tcp) instead of reading stdin, then keep receiving' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and __fish_seen_subcommand_from send" -l count -d 'Exit 0 after N messages (lines for tcp, datagrams for udp) have been received and written, closing cleanly' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and __fish_seen_subcommand_from send" -l timeout -d 'Give up (exit 1) when the whole run has taken DUR' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and __fish_seen_subcommand_from send" -l idle-timeout -d 'Give up (exit 1) after DUR without data either way' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and __fish_seen_subcommand_from send" -l color -d 'Colour status lines on stderr (auto: when stderr is a terminal and NO_COLOR is unset)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and __fish_seen_subcommand_from send" -l events -d 'How status lines and events are written on stderr' -r -f -a "text\t'Status lines for people'
json\t'One JSON object per line'"
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and __fish_seen_subcommand_from send" -l hex-dump -d 'Write what each connection sends (>) and receives (<) to FILE (- for stderr), as `hexdump -C` shows it; WebSocket and UDP a block per message; under TLS the plaintext' -r -F
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and __fish_seen_subcommand_from send" -l broadcast -d 'Allow sending to a broadcast address (SO_BROADCAST)'
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and __fish_seen_subcommand_from send" -s C -l crlf -d 'End each datagram with CRLF (and send any `\\n` inside as `\\r\\n`), as `ncat -C` does'
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and __fish_seen_subcommand_from send" -l echo -d 'Send back everything that arrives, instead of using stdin/stdout'
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and __fish_seen_subcommand_from send" -l no-repl -d 'Pipe stdin/stdout plainly even on a terminal (no interactive prompt)'
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and __fish_seen_subcommand_from send" -s 0 -l null -d 'Messages are NUL-terminated records instead of lines'
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and __fish_seen_subcommand_from send" -s b -l binary -d 'Send stdin in chunks as binary messages; write payloads raw, nothing added'
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and __fish_seen_subcommand_from send" -l recv-only -d 'Ignore stdin and never close because of it: run until the peer closes'
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and __fish_seen_subcommand_from send" -l send-only -d 'Write nothing that is received'
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and __fish_seen_subcommand_from send" -s v -l verbose -d 'Show more on stderr (repeat for more detail)'
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and __fish_seen_subcommand_from send" -s q -l quiet -d 'Show only errors and warnings on stderr'
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and __fish_seen_subcommand_from send" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and __fish_seen_subcommand_from send" -s V -l version -d 'Print version'
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and __fish_seen_subcommand_from connect" -l linger -l wait -d 'After stdin EOF, wait for replies until none has come for DUR (`forever`: until interrupted)' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and __fish_seen_subcommand_from connect" -l ttl -d 'Time to live (hop limit) of the datagrams sent, unicast and multicast' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and __fish_seen_subcommand_from connect" -l interface -d 'For a multicast destination: the interface to send on (IPv4 address, or IPv6 interface name or index)' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and __fish_seen_subcommand_from connect" -s s -l source -d 'Bind the local end to ADDR (one of this machine\'s addresses) before connecting (over UDP, sending), as `ncat -s`' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and __fish_seen_subcommand_from connect" -l source-port -d 'Bind the local end to PORT before connecting (over UDP, sending), as `ncat -p`' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and __fish_seen_subcommand_from connect" -s e -l exec -d 'Run CMD through `sh -c` for each connection, wired to its stdin/stdout' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and __fish_seen_subcommand_from connect" -l history -d 'The prompt\'s history file [default: $XDG_STATE_HOME/wsctl/history, else ~/.local/state/wsctl/history]' -r -F
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and __fish_seen_subcommand_from connect" -l send -d 'Send TEXT right after connecting (repeatable, in order; a line for tcp) instead of reading stdin, then keep receiving' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and __fish_seen_subcommand_from connect" -l count -d 'Exit 0 after N messages (lines for tcp, datagrams for udp) have been received and written, closing cleanly' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and __fish_seen_subcommand_from connect" -l timeout -d 'Give up (exit 1) when the whole run has taken DUR' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and __fish_seen_subcommand_from connect" -l idle-timeout -d 'Give up (exit 1) after DUR without data either way' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and __fish_seen_subcommand_from connect" -l color -d 'Colour status lines on stderr (auto: when stderr is a terminal and NO_COLOR is unset)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and __fish_seen_subcommand_from connect" -l events -d 'How status lines and events are written on stderr' -r -f -a "text\t'Status lines for people'
json\t'One JSON object per line'"
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and __fish_seen_subcommand_from connect" -l hex-dump -d 'Write what each connection sends (>) and receives (<) to FILE (- for stderr), as `hexdump -C` shows it; WebSocket and UDP a block per message; under TLS the plaintext' -r -F
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and __fish_seen_subcommand_from connect" -l broadcast -d 'Allow sending to a broadcast address (SO_BROADCAST)'
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and __fish_seen_subcommand_from connect" -s C -l crlf -d 'End each datagram with CRLF (and send any `\\n` inside as `\\r\\n`), as `ncat -C` does'
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and __fish_seen_subcommand_from connect" -l echo -d 'Send back everything that arrives, instead of using stdin/stdout'
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and __fish_seen_subcommand_from connect" -l no-repl -d 'Pipe stdin/stdout plainly even on a terminal (no interactive prompt)'
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and __fish_seen_subcommand_from connect" -s 0 -l null -d 'Messages are NUL-terminated records instead of lines'
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and __fish_seen_subcommand_from connect" -s b -l binary -d 'Send stdin in chunks as binary messages; write payloads raw, nothing added'
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and __fish_seen_subcommand_from connect" -l recv-only -d 'Ignore stdin and never close because of it: run until the peer closes'
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and __fish_seen_subcommand_from connect" -l send-only -d 'Write nothing that is received'
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and __fish_seen_subcommand_from connect" -s v -l verbose -d 'Show more on stderr (repeat for more detail)'
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and __fish_seen_subcommand_from connect" -s q -l quiet -d 'Show only errors and warnings on stderr'
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and __fish_seen_subcommand_from connect" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and __fish_seen_subcommand_from connect" -s V -l version -d 'Print version'
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and __fish_seen_subcommand_from listen" -l multicast -d 'Join this multicast group (IPv4 or IPv6)' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and __fish_seen_subcommand_from listen" -l interface -d 'The interface to join the group on (IPv4 address, or IPv6 interface name or index)' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and __fish_seen_subcommand_from listen" -l ttl -d 'Time to live (hop limit) of the datagrams sent back' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and __fish_seen_subcommand_from listen" -l max-conns -d 'With --exec: run at most N senders\' commands at once; datagrams from new senders past that are dropped, with a warning [default: 100]' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and __fish_seen_subcommand_from listen" -l idle-timeout -d 'With --exec: end a sender\'s command (its stdin closed, then stopped) after DUR without a datagram either way (0: never) [default: 60s]' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and __fish_seen_subcommand_from listen" -s e -l exec -d 'Run CMD through `sh -c` for each connection, wired to its stdin/stdout' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and __fish_seen_subcommand_from listen" -l history -d 'The prompt\'s history file [default: $XDG_STATE_HOME/wsctl/history, else ~/.local/state/wsctl/history]' -r -F
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and __fish_seen_subcommand_from listen" -l color -d 'Colour status lines on stderr (auto: when stderr is a terminal and NO_COLOR is unset)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and __fish_seen_subcommand_from listen" -l events -d 'How status lines and events are written on stderr' -r -f -a "text\t'Status lines for people'
json\t'One JSON object per line'"
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and __fish_seen_subcommand_from listen" -l hex-dump -d 'Write what each connection sends (>) and receives (<) to FILE (- for stderr), as `hexdump -C` shows it; WebSocket and UDP a block per message; under TLS the plaintext' -r -F
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and __fish_seen_subcommand_from listen" -s C -l crlf -d 'End each datagram with CRLF (and send any `\\n` inside as `\\r\\n`), as `ncat -C` does'
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and __fish_seen_subcommand_from listen" -l echo -d 'Send back everything that arrives, instead of using stdin/stdout'
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and __fish_seen_subcommand_from listen" -l no-repl -d 'Pipe stdin/stdout plainly even on a terminal (no interactive prompt)'
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and __fish_seen_subcommand_from listen" -s 0 -l null -d 'Messages are NUL-terminated records instead of lines'
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and __fish_seen_subcommand_from listen" -s b -l binary -d 'Send stdin in chunks as binary messages; write payloads raw, nothing added'
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and __fish_seen_subcommand_from listen" -s v -l verbose -d 'Show more on stderr (repeat for more detail)'
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and __fish_seen_subcommand_from listen" -s q -l quiet -d 'Show only errors and warnings on stderr'
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and __fish_seen_subcommand_from listen" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and __fish_seen_subcommand_from listen" -s V -l version -d 'Print version'
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and __fish_seen_subcommand_from help" -f -a "send" -d 'Send each stdin line to HOST PORT as one datagram and print the replies'
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and __fish_seen_subcommand_from help" -f -a "listen" -d 'Receive datagrams on [HOST:]PORT from every sender; stdin lines go to the most recent'
complete -c wsctl -n "__fish_wsctl_using_subcommand udp; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c wsctl -n "__fish_wsctl_using_subcommand unix; and not __fish_seen_subcommand_from connect listen help" -l color -d 'Colour status lines on stderr (auto: when stderr is a terminal and NO_COLOR is unset)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wsctl -n "__fish_wsctl_using_subcommand unix; and not __fish_seen_subcommand_from connect listen help" -l events -d 'How status lines and events are written on stderr' -r -f -a "text\t'Status lines for people'
json\t'One JSON object per line'"
complete -c wsctl -n "__fish_wsctl_using_subcommand unix; and not __fish_seen_subcommand_from connect listen help" -l hex-dump -d 'Write what each connection sends (>) and receives (<) to FILE (- for stderr), as `hexdump -C` shows it; WebSocket and UDP a block per message; under TLS the plaintext' -r -F
complete -c wsctl -n "__fish_wsctl_using_subcommand unix; and not __fish_seen_subcommand_from connect listen help" -s v -l verbose -d 'Show more on stderr (repeat for more detail)'
complete -c wsctl -n "__fish_wsctl_using_subcommand unix; and not __fish_seen_subcommand_from connect listen help" -s q -l quiet -d 'Show only errors and warnings on stderr'
complete -c wsctl -n "__fish_wsctl_using_subcommand unix; and not __fish_seen_subcommand_from connect listen help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wsctl -n "__fish_wsctl_using_subcommand unix; and not __fish_seen_subcommand_from connect listen help" -s V -l version -d 'Print version'
complete -c wsctl -n "__fish_wsctl_using_subcommand unix; and not __fish_seen_subcommand_from connect listen help" -f -a "connect" -d 'Connect to the Unix socket PATH (or @NAME) and pipe stdin/stdout through it'
complete -c wsctl -n "__fish_wsctl_using_subcommand unix; and not __fish_seen_subcommand_from connect listen help" -f -a "listen" -d 'Listen on the Unix socket PATH (or @NAME) and pipe an accepted connection through stdin/stdout'
complete -c wsctl -n "__fish_wsctl_using_subcommand unix; and not __fish_seen_subcommand_from connect listen help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c wsctl -n "__fish_wsctl_using_subcommand unix; and __fish_seen_subcommand_from connect" -l linger -l wait -d 'With --dgram: after stdin EOF, wait for replies until none has come for DUR (`forever`: until interrupted) [default: 1s]' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand unix; and __fish_seen_subcommand_from connect" -l connect-timeout -d 'Give up connecting after DUR (e.g. 500ms, 10s, 2m; a bare number is seconds; 0: no limit)' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand unix; and __fish_seen_subcommand_from connect" -s e -l exec -d 'Run CMD through `sh -c` for each connection, wired to its stdin/stdout' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand unix; and __fish_seen_subcommand_from connect" -l history -d 'The prompt\'s history file [default: $XDG_STATE_HOME/wsctl/history, else ~/.local/state/wsctl/history]' -r -F
complete -c wsctl -n "__fish_wsctl_using_subcommand unix; and __fish_seen_subcommand_from connect" -l send -d 'Send TEXT right after connecting (repeatable, in order; a line for tcp) instead of reading stdin, then keep receiving' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand unix; and __fish_seen_subcommand_from connect" -l count -d 'Exit 0 after N messages (lines for tcp, datagrams for udp) have been received and written, closing cleanly' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand unix; and __fish_seen_subcommand_from connect" -l timeout -d 'Give up (exit 1) when the whole run has taken DUR' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand unix; and __fish_seen_subcommand_from connect" -l idle-timeout -d 'Give up (exit 1) after DUR without data either way' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand unix; and __fish_seen_subcommand_from connect" -l color -d 'Colour status lines on stderr (auto: when stderr is a terminal and NO_COLOR is unset)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wsctl -n "__fish_wsctl_using_subcommand unix; and __fish_seen_subcommand_from connect" -l events -d 'How status lines and events are written on stderr' -r -f -a "text\t'Status lines for people'
json\t'One JSON object per line'"
complete -c wsctl -n "__fish_wsctl_using_subcommand unix; and __fish_seen_subcommand_from connect" -l hex-dump -d 'Write what each connection sends (>) and receives (<) to FILE (- for stderr), as `hexdump -C` shows it; WebSocket and UDP a block per message; under TLS the plaintext' -r -F
complete -c wsctl -n "__fish_wsctl_using_subcommand unix; and __fish_seen_subcommand_from connect" -l dgram -d 'A datagram socket: each stdin line (-0 record, -b chunk) is one datagram, as with `udp send`; replies come to an autobound name of this client\'s own'
complete -c wsctl -n "__fish_wsctl_using_subcommand unix; and __fish_seen_subcommand_from connect" -s C -l crlf -d 'Send line ends as CRLF: each `\\n` not already after a `\\r` goes as `\\r\\n`, as `ncat -C` does (with --dgram: each datagram ends with CRLF)'
complete -c wsctl -n "__fish_wsctl_using_subcommand unix; and __fish_seen_subcommand_from connect" -l echo -d 'Send back everything that arrives, instead of using stdin/stdout'
complete -c wsctl -n "__fish_wsctl_using_subcommand unix; and __fish_seen_subcommand_from connect" -l no-repl -d 'Pipe stdin/stdout plainly even on a terminal (no interactive prompt)'
complete -c wsctl -n "__fish_wsctl_using_subcommand unix; and __fish_seen_subcommand_from connect" -s 0 -l null -d 'Messages are NUL-terminated records instead of lines'
complete -c wsctl -n "__fish_wsctl_using_subcommand unix; and __fish_seen_subcommand_from connect" -s b -l binary -d 'Send stdin in chunks as binary messages; write payloads raw, nothing added'
complete -c wsctl -n "__fish_wsctl_using_subcommand unix; and __fish_seen_subcommand_from connect" -l recv-only -d 'Ignore stdin and never close because of it: run until the peer closes'
complete -c wsctl -n "__fish_wsctl_using_subcommand unix; and __fish_seen_subcommand_from connect" -l send-only -d 'Write nothing that is received'
complete -c wsctl -n "__fish_wsctl_using_subcommand unix; and __fish_seen_subcommand_from connect" -s v -l verbose -d 'Show more on stderr (repeat for more detail)'
complete -c wsctl -n "__fish_wsctl_using_subcommand unix; and __fish_seen_subcommand_from connect" -s q -l quiet -d 'Show only errors and warnings on stderr'
complete -c wsctl -n "__fish_wsctl_using_subcommand unix; and __fish_seen_subcommand_from connect" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wsctl -n "__fish_wsctl_using_subcommand unix; and __fish_seen_subcommand_from connect" -s V -l version -d 'Print version'
complete -c wsctl -n "__fish_wsctl_using_subcommand unix; and __fish_seen_subcommand_from listen" -l mode -d 'The socket file\'s permissions, in octal (660, 0600); without it the umask decides' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand unix; and __fish_seen_subcommand_from listen" -s e -l exec -d 'Run CMD through `sh -c` for each connection, wired to its stdin/stdout' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand unix; and __fish_seen_subcommand_from listen" -l history -d 'The prompt\'s history file [default: $XDG_STATE_HOME/wsctl/history, else ~/.local/state/wsctl/history]' -r -F
complete -c wsctl -n "__fish_wsctl_using_subcommand unix; and __fish_seen_subcommand_from listen" -l max-conns -d 'Serve at most N clients at once; more are refused (WebSocket: HTTP 503) and logged. Default with -k --exec: 100 (as ncat)' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand unix; and __fish_seen_subcommand_from listen" -l allow -d 'Accept clients only from this address or CIDR block (repeatable)' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand unix; and __fish_seen_subcommand_from listen" -l deny -d 'Close clients from this address or CIDR block at once (repeatable; wins over --allow)' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand unix; and __fish_seen_subcommand_from listen" -l idle-timeout -d 'Close a client\'s connection after DUR without data either way (0: never). Default with -k --exec: 10m' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand unix; and __fish_seen_subcommand_from listen" -l to -d 'Forward each client to its own upstream connection: tcp://HOST:PORT, tls://HOST:PORT, ws://..., wss://... or unix:PATH (byte streams travel as binary messages)' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand unix; and __fish_seen_subcommand_from listen" -l handshake-timeout -d 'Close a client that has not finished its TLS / WebSocket handshake within DUR' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand unix; and __fish_seen_subcommand_from listen" -l ca -d 'Trust only the certificates in FILE (PEM, may hold several) instead of the web roots and the system\'s store: CAs, or the server\'s own self-signed certificate (as curl\'s --cacert)' -r -F
complete -c wsctl -n "__fish_wsctl_using_subcommand unix; and __fish_seen_subcommand_from listen" -l cert -d 'Present this client certificate (PEM, chain allowed)' -r -F
complete -c wsctl -n "__fish_wsctl_using_subcommand unix; and __fish_seen_subcommand_from listen" -l key -d 'The private key of --cert (PEM: RSA, ECDSA or Ed25519)' -r -F
complete -c wsctl -n "__fish_wsctl_using_subcommand unix; and __fish_seen_subcommand_from listen" -l sni -d 'The server name to send (SNI) and to check the certificate against (default: the host)' -r
complete -c wsctl -n "__fish_wsctl_using_subcommand unix; and __fish_seen_subcommand_from listen" -l color -d 'Colour status lines on stderr (auto: when stderr is a terminal and NO_COLOR is unset)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wsctl -n "__fish_wsctl_using_subcommand unix; and __fish_seen_subcommand_from listen" -l events -d 'How status lines and events are written on stderr' -r -f -a "text\t'Status lines for people'
json\t'One JSON object per line'"
complete -c wsctl -n "__fish_wsctl_using_subcommand unix; and __fish_seen_subcommand_from listen" -l hex-dump -d 'Write what each connection sends (>) and receives (<) to FILE (- for stderr), as `hexdump -C` shows it; WebSocket and UDP a block per message; under TLS the plaintext' -r -F
complete -c wsctl -n "__fish_wsctl_using_subcommand unix; and __fish_seen_subcommand_from listen" -l dgram -d 'A datagram socket, served as `udp listen` serves: datagrams from every sender to stdout, stdin\'s records to the most recent sender (--echo: each straight back; --exec: one command per sender)'
complete -c wsctl -n "__fish_wsctl_using_subcommand unix; and __fish_seen_subcommand_from listen" -s C -l crlf -d 'Send line ends as CRLF: each `\\n` not already after a `\\r` goes as `\\r\\n` (typed lines, stdin, a command\'s output), as `ncat -C` does (with --dgram: each datagram ends with CRLF)'
complete -c wsctl -n "__fish_wsctl_using_subcommand unix; and __fish_seen_subcommand_from listen" -l echo -d 'Send back everything that arrives, instead of using stdin/stdout'
complete -c wsctl -n "__fish_wsctl_using_subcommand unix; and __fish_seen_subcommand_from listen" -l no-repl -d 'Pipe stdin/stdout plainly even on a terminal (no interactive prompt)'
complete -c wsctl -n "__fish_wsctl_using_subcommand unix; and __fish_seen_subcommand_from listen" -s 0 -l null -d 'Messages are NUL-terminated records instead of lines'
complete -c wsctl -n "__fish_wsctl_using_subcommand unix; and __fish_seen_subcommand_from listen" -s b -l binary -d 'Send stdin in chunks as binary messages; write payloads raw, nothing added'
complete -c wsctl -n "__fish_wsctl_using_subcommand unix; and __fish_seen_subcommand_from listen" -s k -l keep-open -d 'Keep listening after a connection ends: with --echo or --exec, clients are served at once; with stdin/stdout, one after another'
complete -c wsctl -n "__fish_wsctl_using_subcommand unix; and __fish_seen_subcommand_from listen" -l broadcast -d 'With stdin/stdout: serve clients at once, send each stdin line to all of them, and write every client\'s lines to stdout (implies -k)'
complete -c wsctl -n "__fish_wsctl_using_subcommand unix; and __fish_seen_subcommand_from listen" -l chat -d 'Like --broadcast, and each client\'s lines also go to every other client'
complete -c wsctl -n "__fish_wsctl_using_subcommand unix; and __fish_seen_subcommand_from listen" -l insecure -d 'Do not check the server\'s certificate (unsafe; says so on stderr)'
complete -c wsctl -n "__fish_wsctl_using_subcommand unix; and __fish_seen_subcommand_from listen" -s v -l verbose -d 'Show more on stderr (repeat for more detail)'
complete -c wsctl -n "__fish_wsctl_using_subcommand unix; and __fish_seen_subcommand_from listen" -s q -l quiet -d 'Show only errors and warnings on stderr'
complete -c wsctl -n "__fish_wsctl_using_subcommand unix; and __fish_seen_subcommand_from listen" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wsctl -n "__fish_wsctl_using_subcommand unix; and __fish_seen_subcommand_from listen" -s V -l version -d 'Print version'
complete -c wsctl -n "__fish_wsctl_using_subcommand unix; and __fish_seen_subcommand_from help" -f -a "connect" -d 'Connect to the Unix socket PATH (or @NAME) and pipe stdin/stdout through it'
complete -c wsctl -n "__fish_wsctl_using_subcommand unix; and __fish_seen_subcommand_from help" -f -a "listen" -d 'Listen on the Unix socket PATH (or @NAME) and pipe an accepted connection through stdin/stdout'
complete -c wsctl -n "__fish_wsctl_using_subcommand unix; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c wsctl -n "__fish_wsctl_using_subcommand completions" -l color -d 'Colour status lines on stderr (auto: when stderr is a terminal and NO_COLOR is unset)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wsctl -n "__fish_wsctl_using_subcommand completions" -l events -d 'How status lines and events are written on stderr' -r -f -a "text\t'Status lines for people'
json\t'One JSON object per line'"
complete -c wsctl -n "__fish_wsctl_using_subcommand completions" -l hex-dump -d 'Write what each connection sends (>) and receives (<) to FILE (- for stderr), as `hexdump -C` shows it; WebSocket and UDP a block per message; under TLS the plaintext' -r -F
complete -c wsctl -n "__fish_wsctl_using_subcommand completions" -s v -l verbose -d 'Show more on stderr (repeat for more detail)'
complete -c wsctl -n "__fish_wsctl_using_subcommand completions" -s q -l quiet -d 'Show only errors and warnings on stderr'
complete -c wsctl -n "__fish_wsctl_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wsctl -n "__fish_wsctl_using_subcommand completions" -s V -l version -d 'Print version'
complete -c wsctl -n "__fish_wsctl_using_subcommand help; and not __fish_seen_subcommand_from tcp ws udp unix completions help" -f -a "tcp" -d 'TCP client and server'
complete -c wsctl -n "__fish_wsctl_using_subcommand help; and not __fish_seen_subcommand_from tcp ws udp unix completions help" -f -a "ws" -d 'WebSocket client and server (RFC 6455)'
complete -c wsctl -n "__fish_wsctl_using_subcommand help; and not __fish_seen_subcommand_from tcp ws udp unix completions help" -f -a "udp" -d 'UDP: datagrams to and from stdin/stdout'
complete -c wsctl -n "__fish_wsctl_using_subcommand help; and not __fish_seen_subcommand_from tcp ws udp unix completions help" -f -a "unix" -d 'Unix domain sockets: streams, and datagrams with --dgram'
complete -c wsctl -n "__fish_wsctl_using_subcommand help; and not __fish_seen_subcommand_from tcp ws udp unix completions help" -f -a "completions" -d 'Print a completion script for SHELL on stdout'
complete -c wsctl -n "__fish_wsctl_using_subcommand help; and not __fish_seen_subcommand_from tcp ws udp unix completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c wsctl -n "__fish_wsctl_using_subcommand help; and __fish_seen_subcommand_from tcp" -f -a "connect" -d 'Connect to HOST PORT (or HOST:PORT, [IPv6]:PORT) and pipe stdin/stdout through it'
complete -c wsctl -n "__fish_wsctl_using_subcommand help; and __fish_seen_subcommand_from tcp" -f -a "listen" -d 'Listen on [HOST:]PORT and pipe an accepted connection through stdin/stdout'
complete -c wsctl -n "__fish_wsctl_using_subcommand help; and __fish_seen_subcommand_from ws" -f -a "connect" -d 'Connect to URL (ws:// or wss://HOST[:PORT]/PATH) and pipe stdin/stdout through it'
complete -c wsctl -n "__fish_wsctl_using_subcommand help; and __fish_seen_subcommand_from ws" -f -a "listen" -d 'Listen on [HOST:]PORT for WebSocket clients and pipe one through stdin/stdout'
complete -c wsctl -n "__fish_wsctl_using_subcommand help; and __fish_seen_subcommand_from udp" -f -a "send" -d 'Send each stdin line to HOST PORT as one datagram and print the replies'
complete -c wsctl -n "__fish_wsctl_using_subcommand help; and __fish_seen_subcommand_from udp" -f -a "listen" -d 'Receive datagrams on [HOST:]PORT from every sender; stdin lines go to the most recent'
complete -c wsctl -n "__fish_wsctl_using_subcommand help; and __fish_seen_subcommand_from unix" -f -a "connect" -d 'Connect to the Unix socket PATH (or @NAME) and pipe stdin/stdout through it'
complete -c wsctl -n "__fish_wsctl_using_subcommand help; and __fish_seen_subcommand_from unix" -f -a "listen" -d 'Listen on the Unix socket PATH (or @NAME) and pipe an accepted connection through stdin/stdout'
