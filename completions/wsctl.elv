
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
            cand -v 'Show more on stderr (repeat for more detail)'
            cand --verbose 'Show more on stderr (repeat for more detail)'
            cand -q 'Show only errors on stderr'
            cand --quiet 'Show only errors on stderr'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand tcp 'TCP client and server'
            cand completions 'Print a completion script for SHELL on stdout'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'wsctl;tcp'= {
            cand --color 'Colour status lines on stderr (auto: when stderr is a terminal and NO_COLOR is unset)'
            cand --events 'How status lines and events are written on stderr'
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
            cand -e 'Run CMD through `sh -c` for each connection, wired to its stdin/stdout'
            cand --exec 'Run CMD through `sh -c` for each connection, wired to its stdin/stdout'
            cand --connect-timeout 'Give up connecting after DUR (e.g. 500ms, 10s, 2m)'
            cand --color 'Colour status lines on stderr (auto: when stderr is a terminal and NO_COLOR is unset)'
            cand --events 'How status lines and events are written on stderr'
            cand --echo 'Send back everything that arrives, instead of using stdin/stdout'
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
            cand --color 'Colour status lines on stderr (auto: when stderr is a terminal and NO_COLOR is unset)'
            cand --events 'How status lines and events are written on stderr'
            cand --echo 'Send back everything that arrives, instead of using stdin/stdout'
            cand -k 'Keep listening after a connection ends: with --echo or --exec, clients are served at once; with stdin/stdout, one after another'
            cand --keep-open 'Keep listening after a connection ends: with --echo or --exec, clients are served at once; with stdin/stdout, one after another'
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
        &'wsctl;completions'= {
            cand --color 'Colour status lines on stderr (auto: when stderr is a terminal and NO_COLOR is unset)'
            cand --events 'How status lines and events are written on stderr'
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
        &'wsctl;help;completions'= {
        }
        &'wsctl;help;help'= {
        }
    ]
    $completions[$command]
}
