//! The notes under each subcommand's help, and the examples its long help (`--help`) adds.
//! Macros, since clap's attributes take one string and `concat!` only literals.

macro_rules! tcp_connect_notes {
    () => {
        "Every address HOST resolves to is tried in turn. Stdin EOF \
        half-closes the connection; wsctl keeps printing until the peer closes."
    };
}

macro_rules! tcp_connect_examples {
    () => {
        "  # type an HTTP request by hand\n  wsctl tcp connect example.com 80\n  # send one request and print the answer\n  printf 'GET / HTTP/1.0\\r\\n\\r\\n' | wsctl tcp connect example.com 80\n  # TLS, verified against the system's roots\n  wsctl tcp connect --tls example.com 443\n  # one line out, one line back, then exit\n  wsctl tcp connect --send PING --count 1 127.0.0.1 6379\n  # a line protocol by hand, lines ending in CRLF (ncat -C)\n  wsctl tcp connect -C mail.example 25\n  # which ports are open (nc -z)\n  wsctl tcp connect -z 127.0.0.1 20-25,80,8000-8100\n  # from a chosen local address and port\n  wsctl tcp connect -s 127.0.0.2 --source-port 40000 127.0.0.1 6379"
    };
}

macro_rules! tcp_listen_notes {
    () => {
        "The first line on stderr is `listening on ADDR` with the bound \
        address, so PORT 0 (any free port) is usable from scripts. Without --keep-open, one \
        connection is served and wsctl exits when it ends. The first Ctrl-C or SIGTERM \
        stops accepting and lets connections finish (exit 0); a second Ctrl-C exits at once."
    };
}

macro_rules! tcp_listen_examples {
    () => {
        "  # one client, through stdin/stdout (nc -l 8080)\n  wsctl tcp listen 8080\n  # nc's order: HOST PORT\n  wsctl tcp listen 127.0.0.1 4444\n  # an echo server for every client\n  wsctl tcp listen -k --echo 127.0.0.1:7\n  # one command per client\n  wsctl tcp listen -k --exec date 8080\n  # bridge each client to a WebSocket\n  wsctl tcp listen -k --to ws://127.0.0.1:9000/ 8080"
    };
}

macro_rules! ws_connect_notes {
    () => {
        "Each stdin line is one text message and each message received is \
        printed followed by a newline unless it ends with one (-0: NUL instead; -b: binary \
        chunks, payloads raw). After \
        stdin EOF wsctl keeps printing, and sends its Close once everything is sent and the \
        server has been quiet for --linger (1s), or answers the server's Close. Input the server \
        closed on before it could be sent is reported with its size (exit 1)."
    };
}

macro_rules! ws_connect_examples {
    () => {
        "  # type messages; replies are printed\n  wsctl ws connect wss://echo.example/\n  # no scheme means ws://\n  wsctl ws connect localhost:8080/chat\n  # send a line, print the replies, close\n  echo '{\"op\":\"ping\"}' | wsctl ws connect ws://127.0.0.1:9000/\n  # one message out, one back\n  wsctl ws connect --send hello --count 1 ws://127.0.0.1:9000/\n  # a file's bytes as binary messages\n  wsctl ws connect -b ws://127.0.0.1:9000/ < file.bin\n  # a server on a Unix socket (the URL gives Host and path)\n  wsctl ws connect --unix-socket /run/app.sock ws://localhost/events"
    };
}

macro_rules! ws_listen_notes {
    () => {
        "The first line on stderr is `listening on ADDR` with the bound \
        address. Without --keep-open, one WebSocket connection is served and wsctl exits when it \
        ends (a client whose handshake fails does not count). Stdin EOF does not close: the \
        client is read until it closes, as tcp listen does. An --exec command gets the request \
        in its environment as websocketd gives it: PATH_INFO, QUERY_STRING, REMOTE_ADDR, \
        REMOTE_PORT, HTTP_* headers and more. The first Ctrl-C or SIGTERM stops accepting \
        and closes each connection with 1001 (exit 0); a second Ctrl-C exits at once."
    };
}

macro_rules! ws_listen_examples {
    () => {
        "  # one client, through stdin/stdout\n  wsctl ws listen 8080\n  # an echo server\n  wsctl ws listen -k --echo 127.0.0.1:9000\n  # one command per client, with websocketd's CGI environment\n  wsctl ws listen -k --exec ./handler.sh 9000\n  # every client's lines to the others and to stdout\n  wsctl ws listen -k --chat 9000\n  # wss:// with a certificate made at start-up\n  wsctl ws listen -k --tls-self-signed --echo 9443\n  # on a Unix socket (reach it with ws connect --unix-socket)\n  wsctl ws listen -k --echo unix:/tmp/ws.sock"
    };
}

macro_rules! udp_send_notes {
    () => {
        "Each stdin line (without its newline) is one datagram; -0: each \
        NUL-terminated record; -b: each chunk read. Each datagram received is printed followed \
        by a newline (-b: raw). After stdin EOF, replies are awaited for --wait. A port \
        unreachable (nothing listens) ends the run with exit 3."
    };
}

macro_rules! udp_send_examples {
    () => {
        "  # one datagram, then replies for 1 s\n  echo hello | wsctl udp send 127.0.0.1 9000\n  # a binary datagram, replies for 2 s\n  wsctl udp send -b --wait 2 127.0.0.1 53 < query.bin\n  # to the broadcast address\n  wsctl udp send --broadcast 255.255.255.255 9"
    };
}

macro_rules! udp_listen_notes {
    () => {
        "The first line on stderr is `listening on ADDR`. Runs until \
        interrupted. -v shows each datagram's sender on stderr. --echo sends every datagram \
        back to its sender; --exec runs one CMD per sender, fed that sender's datagrams as \
        lines, its output lines sent back to it. The first Ctrl-C or SIGTERM stops receiving, \
        writes out what was received and lets each command answer its EOF (exit 0); a second \
        Ctrl-C exits at once."
    };
}

macro_rules! udp_listen_examples {
    () => {
        "  # print datagrams; stdin lines go to the latest sender\n  wsctl udp listen 9000\n  # send each datagram back\n  wsctl udp listen --echo 127.0.0.1:9000\n  # one command per sender\n  wsctl udp listen --exec 'tr a-z A-Z' 9000"
    };
}

macro_rules! unix_connect_notes {
    () => {
        "PATH is a Unix stream socket's file, or @NAME for one in Linux's abstract \
        namespace. The connection is relayed as a TCP one is: stdin EOF half-closes it, and \
        wsctl keeps printing until the peer closes. -v shows the peer's pid, uid and gid. \
        --dgram: a datagram socket, with `udp send`'s rules: each line (-0 record, -b chunk) \
        is one datagram, replies come to an autobound name of the client's own (@0001f) and \
        are awaited for --linger after stdin's end."
    };
}

macro_rules! unix_connect_examples {
    () => {
        "  # Docker's API, by hand\n  printf 'GET /version HTTP/1.0\\r\\n\\r\\n' | wsctl unix connect /var/run/docker.sock\n  # a socket in the abstract namespace\n  wsctl unix connect @my-service\n  # one line out, one back\n  wsctl unix connect /run/app.sock --send status --count 1\n  # a datagram socket\n  echo status | wsctl unix connect --dgram /run/app-dgram.sock"
    };
}

macro_rules! unix_listen_notes {
    () => {
        "The first line on stderr is `listening on unix:PATH`. A stale socket file (its \
        server gone) is replaced; a socket something listens on, or a file that is not a \
        socket, is not (exit 3). The file is removed when wsctl ends. Clients are named by \
        the socket and their pid (`unix:PATH (pid 42)`); -v and the events give their pid, uid \
        and gid, and an --exec command gets them as WSCTL_PEER_PID, WSCTL_PEER_UID and \
        WSCTL_PEER_GID. --allow and --deny take IP addresses: use --mode here. --dgram: a \
        datagram socket served as `udp listen` serves (datagrams from every sender to \
        stdout, stdin to the most recent one; --echo; --exec per sender); senders are named \
        by their socket (`unix:@0001f`), and one bound to no name cannot be answered."
    };
}

macro_rules! unix_listen_examples {
    () => {
        "  # one client, through stdin/stdout (ncat -lU)\n  wsctl unix listen /tmp/app.sock\n  # an echo server only this user may reach\n  wsctl unix listen -k --echo --mode 600 /tmp/echo.sock\n  # a local socket in front of a TCP service\n  wsctl unix listen -k --to tcp://127.0.0.1:5432 /tmp/db.sock\n  # WebSocket over it: wsctl ws listen unix:/tmp/ws.sock\n  # a datagram echo server\n  wsctl unix listen --dgram --echo /tmp/echo-dgram.sock"
    };
}
