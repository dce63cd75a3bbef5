
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
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more on stderr (repeat for more detail)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more on stderr (repeat for more detail)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Show only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Show only errors on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('tcp', 'tcp', [CompletionResultType]::ParameterValue, 'TCP client and server')
            [CompletionResult]::new('ws', 'ws', [CompletionResultType]::ParameterValue, 'WebSocket client and server (RFC 6455)')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a completion script for SHELL on stdout')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'wsctl;tcp' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour status lines on stderr (auto: when stderr is a terminal and NO_COLOR is unset)')
            [CompletionResult]::new('--events', '--events', [CompletionResultType]::ParameterName, 'How status lines and events are written on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more on stderr (repeat for more detail)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more on stderr (repeat for more detail)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Show only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Show only errors on stderr')
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
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'Run CMD through `sh -c` for each connection, wired to its stdin/stdout')
            [CompletionResult]::new('--exec', '--exec', [CompletionResultType]::ParameterName, 'Run CMD through `sh -c` for each connection, wired to its stdin/stdout')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Give up connecting after DUR (e.g. 500ms, 10s, 2m)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour status lines on stderr (auto: when stderr is a terminal and NO_COLOR is unset)')
            [CompletionResult]::new('--events', '--events', [CompletionResultType]::ParameterName, 'How status lines and events are written on stderr')
            [CompletionResult]::new('--echo', '--echo', [CompletionResultType]::ParameterName, 'Send back everything that arrives, instead of using stdin/stdout')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more on stderr (repeat for more detail)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more on stderr (repeat for more detail)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Show only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Show only errors on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'wsctl;tcp;listen' {
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'Run CMD through `sh -c` for each connection, wired to its stdin/stdout')
            [CompletionResult]::new('--exec', '--exec', [CompletionResultType]::ParameterName, 'Run CMD through `sh -c` for each connection, wired to its stdin/stdout')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour status lines on stderr (auto: when stderr is a terminal and NO_COLOR is unset)')
            [CompletionResult]::new('--events', '--events', [CompletionResultType]::ParameterName, 'How status lines and events are written on stderr')
            [CompletionResult]::new('--echo', '--echo', [CompletionResultType]::ParameterName, 'Send back everything that arrives, instead of using stdin/stdout')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Keep listening after a connection ends: with --echo or --exec, clients are served at once; with stdin/stdout, one after another')
            [CompletionResult]::new('--keep-open', '--keep-open', [CompletionResultType]::ParameterName, 'Keep listening after a connection ends: with --echo or --exec, clients are served at once; with stdin/stdout, one after another')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more on stderr (repeat for more detail)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more on stderr (repeat for more detail)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Show only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Show only errors on stderr')
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
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more on stderr (repeat for more detail)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more on stderr (repeat for more detail)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Show only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Show only errors on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('connect', 'connect', [CompletionResultType]::ParameterValue, 'Connect to URL (ws://HOST[:PORT]/PATH) and pipe stdin/stdout through it')
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
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'Run CMD through `sh -c` for each connection, wired to its stdin/stdout')
            [CompletionResult]::new('--exec', '--exec', [CompletionResultType]::ParameterName, 'Run CMD through `sh -c` for each connection, wired to its stdin/stdout')
            [CompletionResult]::new('--ping-interval', '--ping-interval', [CompletionResultType]::ParameterName, 'Send a ping every DUR and show the round-trip time with -v')
            [CompletionResult]::new('--ping-timeout', '--ping-timeout', [CompletionResultType]::ParameterName, 'End the connection when a ping has had no pong for DUR')
            [CompletionResult]::new('--close-code', '--close-code', [CompletionResultType]::ParameterName, 'The close code sent when our side ends')
            [CompletionResult]::new('--close-reason', '--close-reason', [CompletionResultType]::ParameterName, 'The close reason sent when our side ends (at most 123 bytes)')
            [CompletionResult]::new('--close-timeout', '--close-timeout', [CompletionResultType]::ParameterName, 'How long to wait for the peer''s Close after sending ours')
            [CompletionResult]::new('--max-message-size', '--max-message-size', [CompletionResultType]::ParameterName, 'The largest message accepted (and sent); a bigger one closes with 1009')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Give up connecting after DUR (e.g. 500ms, 10s, 2m)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour status lines on stderr (auto: when stderr is a terminal and NO_COLOR is unset)')
            [CompletionResult]::new('--events', '--events', [CompletionResultType]::ParameterName, 'How status lines and events are written on stderr')
            [CompletionResult]::new('--echo', '--echo', [CompletionResultType]::ParameterName, 'Send back everything that arrives, instead of using stdin/stdout')
            [CompletionResult]::new('-0', '-0', [CompletionResultType]::ParameterName, 'Messages are NUL-terminated records instead of lines')
            [CompletionResult]::new('--null', '--null', [CompletionResultType]::ParameterName, 'Messages are NUL-terminated records instead of lines')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Send stdin in chunks as binary messages; write payloads raw, nothing added')
            [CompletionResult]::new('--binary', '--binary', [CompletionResultType]::ParameterName, 'Send stdin in chunks as binary messages; write payloads raw, nothing added')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more on stderr (repeat for more detail)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more on stderr (repeat for more detail)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Show only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Show only errors on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'wsctl;ws;listen' {
            [CompletionResult]::new('--path', '--path', [CompletionResultType]::ParameterName, 'Accept WebSocket requests only for this path (others get 404)')
            [CompletionResult]::new('--protocol', '--protocol', [CompletionResultType]::ParameterName, 'A subprotocol this server speaks (repeatable, in order of preference): the first one the client offers is selected')
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'Run CMD through `sh -c` for each connection, wired to its stdin/stdout')
            [CompletionResult]::new('--exec', '--exec', [CompletionResultType]::ParameterName, 'Run CMD through `sh -c` for each connection, wired to its stdin/stdout')
            [CompletionResult]::new('--ping-interval', '--ping-interval', [CompletionResultType]::ParameterName, 'Send a ping every DUR and show the round-trip time with -v')
            [CompletionResult]::new('--ping-timeout', '--ping-timeout', [CompletionResultType]::ParameterName, 'End the connection when a ping has had no pong for DUR')
            [CompletionResult]::new('--close-code', '--close-code', [CompletionResultType]::ParameterName, 'The close code sent when our side ends')
            [CompletionResult]::new('--close-reason', '--close-reason', [CompletionResultType]::ParameterName, 'The close reason sent when our side ends (at most 123 bytes)')
            [CompletionResult]::new('--close-timeout', '--close-timeout', [CompletionResultType]::ParameterName, 'How long to wait for the peer''s Close after sending ours')
            [CompletionResult]::new('--max-message-size', '--max-message-size', [CompletionResultType]::ParameterName, 'The largest message accepted (and sent); a bigger one closes with 1009')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour status lines on stderr (auto: when stderr is a terminal and NO_COLOR is unset)')
            [CompletionResult]::new('--events', '--events', [CompletionResultType]::ParameterName, 'How status lines and events are written on stderr')
            [CompletionResult]::new('--echo', '--echo', [CompletionResultType]::ParameterName, 'Send back everything that arrives, instead of using stdin/stdout')
            [CompletionResult]::new('-0', '-0', [CompletionResultType]::ParameterName, 'Messages are NUL-terminated records instead of lines')
            [CompletionResult]::new('--null', '--null', [CompletionResultType]::ParameterName, 'Messages are NUL-terminated records instead of lines')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Send stdin in chunks as binary messages; write payloads raw, nothing added')
            [CompletionResult]::new('--binary', '--binary', [CompletionResultType]::ParameterName, 'Send stdin in chunks as binary messages; write payloads raw, nothing added')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Keep listening after a connection ends: with --echo or --exec, clients are served at once; with stdin/stdout, one after another')
            [CompletionResult]::new('--keep-open', '--keep-open', [CompletionResultType]::ParameterName, 'Keep listening after a connection ends: with --echo or --exec, clients are served at once; with stdin/stdout, one after another')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more on stderr (repeat for more detail)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more on stderr (repeat for more detail)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Show only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Show only errors on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'wsctl;ws;help' {
            [CompletionResult]::new('connect', 'connect', [CompletionResultType]::ParameterValue, 'Connect to URL (ws://HOST[:PORT]/PATH) and pipe stdin/stdout through it')
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
        'wsctl;completions' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour status lines on stderr (auto: when stderr is a terminal and NO_COLOR is unset)')
            [CompletionResult]::new('--events', '--events', [CompletionResultType]::ParameterName, 'How status lines and events are written on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more on stderr (repeat for more detail)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more on stderr (repeat for more detail)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Show only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Show only errors on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'wsctl;help' {
            [CompletionResult]::new('tcp', 'tcp', [CompletionResultType]::ParameterValue, 'TCP client and server')
            [CompletionResult]::new('ws', 'ws', [CompletionResultType]::ParameterValue, 'WebSocket client and server (RFC 6455)')
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
            [CompletionResult]::new('connect', 'connect', [CompletionResultType]::ParameterValue, 'Connect to URL (ws://HOST[:PORT]/PATH) and pipe stdin/stdout through it')
            [CompletionResult]::new('listen', 'listen', [CompletionResultType]::ParameterValue, 'Listen on [HOST:]PORT for WebSocket clients and pipe one through stdin/stdout')
            break
        }
        'wsctl;help;ws;connect' {
            break
        }
        'wsctl;help;ws;listen' {
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
