using System.Globalization;
using Akka.Actor;
using Akka.Configuration;

namespace PoetSharp.Cluster;

/// <summary>The Akka.NET actor system of one process of a cluster search, configured for it.</summary>
internal static class ClusterNode
{
    public const string SystemName = "poet";
    public const string CoordinatorName = "poet-coordinator";
    public const string WorkerName = "poet-worker";

    /// <summary>
    /// The actor system of this process: cluster provider, TCP on <see cref="ClusterOptions.Bind"/> (the coordinator on
    /// the seed port, a worker on any free port), the coordinator as the one seed node, no automatic downing (the
    /// coordinator downs a worker it has lost, and the run goes on without it), and frames large enough for an
    /// island's state. Akka's own log is off (the coordinator and workers log what matters themselves: joins, refusals,
    /// losses); <c>POET_AKKA_LOGLEVEL=WARNING</c> (or DEBUG) turns it on for diagnosing a network.
    /// </summary>
    public static ActorSystem Start(ClusterOptions options)
    {
        var inv = CultureInfo.InvariantCulture;
        var port = options.Role == ClusterRole.Coordinator ? options.SeedPort : 0;
        var level = Environment.GetEnvironmentVariable("POET_AKKA_LOGLEVEL") ?? "OFF";
        var hocon = $$"""
            akka {
              loglevel = {{level}}
              stdout-loglevel = {{level}}
              log-dead-letters = off
              log-dead-letters-during-shutdown = off
              actor {
                provider = cluster
                serializers {
                  json = "{{typeof(RefusingSerializer).AssemblyQualifiedName}}"
                  poet = "{{typeof(ClusterMessageSerializer).AssemblyQualifiedName}}"
                }
                serialization-bindings {
                  "{{typeof(IClusterMessage).AssemblyQualifiedName}}" = poet
                }
              }
              remote {
                log-remote-lifecycle-events = off
                dot-netty.tcp {
                  hostname = "{{options.Bind}}"
                  public-hostname = "{{options.PublicHost}}"
                  port = {{port.ToString(inv)}}
                  maximum-frame-size = 67108864b
                  send-buffer-size = 134217728b
                  receive-buffer-size = 134217728b
                }
              }
              cluster {
                seed-nodes = ["akka.tcp://{{SystemName}}@{{options.SeedHost}}:{{options.SeedPort.ToString(inv)}}"]
                roles = [{{(options.Role == ClusterRole.Coordinator ? "coordinator" : "worker")}}]
                downing-provider-class = ""
                run-coordinated-shutdown-when-down = off
                log-info = off
                failure-detector {
                  heartbeat-interval = 1s
                  acceptable-heartbeat-pause = 4s
                }
              }
              coordinated-shutdown.exit-clr = off
              coordinated-shutdown.run-by-clr-shutdown-hook = off
            }
            """;
        try
        {
            return ActorSystem.Create(SystemName, ConfigurationFactory.ParseString(hocon));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A port in use or an address not of this host: one clear line, whoever starts the node.
            throw new ArgumentException(options.Role == ClusterRole.Coordinator
                ? $"cannot listen on {options.Bind}:{options.SeedPort} for the cluster: {Inner(e).Message}"
                : $"cannot start a cluster node on {options.Bind}: {Inner(e).Message}");
        }
    }

    private static Exception Inner(Exception e)
    {
        while (e is AggregateException { InnerException: { } inner }) e = inner;
        return e.InnerException is { } i && e is TypeInitializationException or System.Reflection.TargetInvocationException ? i : e;
    }

}
