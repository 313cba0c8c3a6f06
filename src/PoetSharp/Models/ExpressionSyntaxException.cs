namespace PoetSharp.Models;

/// <summary>A malformed expression text: <see cref="Position"/> is the 1-based character where the problem is found.</summary>
public sealed class ExpressionSyntaxException : FormatException
{
    public int Position { get; }
    public string Reason { get; }

    public ExpressionSyntaxException(int position, string reason) : base($"{reason} at {position}")
    {
        Position = position;
        Reason = reason;
    }
}
