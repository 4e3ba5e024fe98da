package io.nebula.worker.cli;

import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Help.Ansi;
import picocli.CommandLine.Help.Ansi.IStyle;
import picocli.CommandLine.Help.Ansi.Text;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Help that writes an option and its value apart, {@code --config <FILE>}, while the parser keeps
 * picocli's {@code =} separator, so that {@code --config FILE} and {@code --config=FILE} (and
 * {@code -c 8}, {@code -c8}, {@code -c=8}) are all read. picocli draws the help's separator from
 * the parser's; this help renders each value label as picocli would and puts a space where the
 * {@code =} was.
 */
final class HelpStyle extends CommandLine.Help {
    private static final String SHOWN_SEPARATOR = " ";

    private final IParamLabelRenderer labels;

    HelpStyle(CommandSpec spec, ColorScheme scheme) {
        super(spec, scheme);
        this.labels = spaced(super.parameterLabelRenderer());
    }

    @Override
    public IParamLabelRenderer parameterLabelRenderer() {
        return labels;
    }

    private static IParamLabelRenderer spaced(IParamLabelRenderer picocli) {
        return new IParamLabelRenderer() {
            @Override
            public Text renderParameterLabel(ArgSpec arg, Ansi ansi, List<IStyle> styles) {
                Text label = picocli.renderParameterLabel(arg, ansi, styles);
                String separator = picocli.separator();
                if (!arg.isOption() || separator.equals(SHOWN_SEPARATOR)) {
                    return label;
                }
                // "=<FILE>", or "[=<FILE>]" for a value that may be left out.
                int at = label.plainString().indexOf(separator);
                if (at < 0 || at > 1) {
                    return label;
                }
                return label.substring(0, at).concat(SHOWN_SEPARATOR).concat(label.substring(at + separator.length()));
            }

            @Override
            public String separator() {
                return SHOWN_SEPARATOR;
            }
        };
    }
}
