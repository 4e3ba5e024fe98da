package io.nebula.worker.action.builtin;

import io.nebula.worker.action.Action;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/** The actions every worker has, configured from the worker's settings. */
public final class BuiltinActions {
    private BuiltinActions() {}

    /**
     * @param http settings of {@code http.request}
     * @param inlineDelayMax {@code delay} nodes up to this long sleep in place; longer ones release
     *     the execution
     */
    public static List<Action> create(HttpActionOptions http, Duration inlineDelayMax) {
        return create(http, inlineDelayMax, Clock.systemUTC());
    }

    /** As {@link #create(HttpActionOptions, Duration)}, with the clock {@code delay} measures by. */
    public static List<Action> create(HttpActionOptions http, Duration inlineDelayMax, Clock clock) {
        return List.of(
                new NoopAction(),
                new LogAction(),
                new TransformAction(),
                new FailAction(),
                new DelayAction(inlineDelayMax, clock),
                new SignalAction(),
                new HttpRequestAction(http));
    }
}
