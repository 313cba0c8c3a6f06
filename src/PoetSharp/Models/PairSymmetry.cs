namespace PoetSharp.Models;

/// <summary>
/// Pair functions shared between element pairs (φ_AB = φ_BA), as EAM alloys have them. In a model of several elements,
/// a <em>pair term</em> of element A's expression F_A is an addend of its top-level sum that is linear in one neighbour
/// sum over another element B: <c>sum[B](g)</c> or <c>c·sum[B](g)</c> (with its sign in the chain of + and −). Atom i of
/// A then gets g(r_ij) from each B neighbour j, so the A–B bond's energy is split between its two atoms: in EAM's
/// E = Σ_i F(ρ_i) + ½ Σ_i Σ_j φ(r_ij), each atom's share is ½ φ_AB. The split itself is not observable (energies,
/// forces and stresses see only the bond's total), but it is what per-atom energies show and what an EAM file holds.
/// <para>
/// With shared pair functions, every pair term of F_A over B has a mirror in F_B over A, the same subtree with the
/// same constants, so both atoms of every A–B bond get the same share. <see cref="Tie"/> makes a model so (adding the
/// mirrors that are missing and equalising the constants of those present); <see cref="Ties"/> gives the constant ties
/// that a fit must keep (<see cref="Fitting.TiedProblem"/>). Terms are matched between F_A and F_B by shape and sign,
/// in order. Sums over every neighbour and sums of an atom's own element are not pair terms of this kind: a sum over
/// every neighbour in F_A also holds A's A–A pairs, and tying it to F_B's would tie A–A to B–B.
/// </para>
/// </summary>
public static class PairSymmetry
{
    private readonly record struct PairTerm(int Root, int Sign, byte Central, byte Neighbour, ulong Shape, int FirstConstant, int ConstantCount);

    /// <summary>The constant ties of a model with shared pair functions: for each constant, its free parameter; null when nothing is tied.</summary>
    public static int[]? Ties(Expression model)
    {
        var representative = Enumerable.Range(0, model.ConstantCount).ToArray();
        var tied = false;
        foreach (var (mine, theirs) in Matches(model).Matched)
        {
            for (var o = 0; o < mine.ConstantCount; o++) representative[theirs.FirstConstant + o] = representative[mine.FirstConstant + o];
            tied |= mine.ConstantCount > 0;
        }
        if (!tied) return null;
        var free = new Dictionary<int, int>();
        var map = new int[representative.Length];
        for (var k = 0; k < map.Length; k++)
        {
            if (!free.TryGetValue(representative[k], out var j)) free[representative[k]] = j = free.Count;
            map[k] = j;
        }
        return map;
    }

    /// <summary>
    /// The model with shared pair functions: each pair term without a mirror gets one (the same subtree, same constants,
    /// same sign, in the other element's expression), and the constants of each tied group take their mean. Energies
    /// change where mirrors are added (the bond's energy is then counted twice until the constants are fitted again);
    /// a model that has all its mirrors keeps its total energy only if the tied constants were already equal.
    /// </summary>
    public static Expression Tie(Expression model)
    {
        var terms = model.CentralTerms.ToArray();
        if (terms.Length < 2) return model;
        model = Canonical(model);
        terms = model.CentralTerms.ToArray();
        var (_, missing) = Matches(model);
        if (missing.Count > 0)
        {
            var bodies = terms.Select(t => model.Subtree(t.Node - 1)).ToArray();
            foreach (var (term, into) in missing)
            {
                var k = Array.FindIndex(terms, t => t.Element == into);
                var mirror = Mirror(model.Subtree(term.Root), term.Central);
                bodies[k] = term.Sign > 0 ? bodies[k] + mirror : bodies[k] - mirror;
            }
            model = Expression.PerElement(terms.Select((t, k) => (Atoms.Elements.Symbol(t.Element), bodies[k])));
        }
        if (Ties(model) is not { } map) return model;
        var sums = new double[map.Max() + 1];
        var counts = new int[sums.Length];
        var constants = model.Constants;
        for (var k = 0; k < map.Length; k++) (sums[map[k]], counts[map[k]]) = (sums[map[k]] + constants[k], counts[map[k]] + 1);
        var equal = new double[map.Length];
        for (var k = 0; k < map.Length; k++) equal[k] = sums[map[k]] / counts[map[k]];
        return model.WithConstants(equal);
    }

    /// <summary>Whether every pair term has its mirror (whatever their constants).</summary>
    public static bool HasAllMirrors(Expression model) => Matches(model).Missing.Count == 0;

    /// <summary>Whether every pair term has its mirror with equal constants (bit for bit).</summary>
    public static bool IsSymmetric(Expression model)
    {
        var (matched, missing) = Matches(model);
        if (missing.Count > 0) return false;
        var c = model.Constants;
        foreach (var (mine, theirs) in matched)
            for (var o = 0; o < mine.ConstantCount; o++)
                if (c[mine.FirstConstant + o] != c[theirs.FirstConstant + o]) return false;
        return true;
    }

    /// <summary>
    /// The model with no pair term leading an element's chain of + and −: a leading pair term moves to the end of the
    /// chain (added, its constants unchanged) behind the first other addend that can lead (one with a + sign, or a
    /// constant product whose constant is negated). Terms are matched by shape and by their sign in the chain, and a
    /// printed model folds signs into the operators of + and − (<see cref="ExpressionPrinter.FoldSigns"/>:
    /// <c>x + (−c)·s</c> is written <c>x − c·s</c>) but cannot fold a leading term; with every pair term behind an
    /// operator, a term and its mirror (the same constants) fold alike, so a model read back from its file keeps its
    /// mirrors. The energy is unchanged. A chain whose other addends cannot lead is left as it is.
    /// </summary>
    public static Expression Canonical(Expression model)
    {
        var terms = model.CentralTerms.ToArray();
        if (terms.Length < 2) return model;
        var changed = false;
        var bodies = new Expression[terms.Length];
        for (var t = 0; t < terms.Length; t++)
        {
            var body = model.Subtree(terms[t].Node - 1);
            bodies[t] = body;
            var addends = new List<(int Sign, Expression Term)>();
            Flatten(body, body.Length - 1, +1, addends);
            if (addends.Count < 2 || !IsPairTerm(addends[0].Term, terms[t].Element)) continue;
            Expression? lead = null;
            var at = 1;
            for (; at < addends.Count && lead is null; at++)
                if (!IsPairTerm(addends[at].Term, terms[t].Element))
                    lead = addends[at].Sign > 0 ? addends[at].Term : Negated(addends[at].Term);
            if (lead is null) continue;
            at--;
            var rebuilt = lead;
            for (var k = 1; k < addends.Count; k++)
                if (k != at) rebuilt = addends[k].Sign > 0 ? rebuilt + addends[k].Term : rebuilt - addends[k].Term;
            bodies[t] = rebuilt + addends[0].Term;
            changed = true;
        }
        return changed ? Expression.PerElement(terms.Select((t, k) => (Atoms.Elements.Symbol(t.Element), bodies[k]))) : model;
    }

    // The addends of the chain of + and − rooted at i, in order, with their signs.
    private static void Flatten(Expression e, int i, int sign, List<(int, Expression)> into)
    {
        var kind = e.Nodes[i].Kind;
        if (kind is NodeKind.Add or NodeKind.Sub)
        {
            Flatten(e, e.LeftChild(i), sign, into);
            Flatten(e, i - 1, kind == NodeKind.Sub ? -sign : sign, into);
        }
        else into.Add((sign, e.Subtree(i)));
    }

    // A pair term of an element's expression (as Collect finds them): Σ_B(g), c·Σ_B(g) or Σ_B(g)·c with B another element.
    private static bool IsPairTerm(Expression term, byte central)
    {
        var root = term.Length - 1;
        var sum = term.Nodes[root].Kind == NodeKind.Sum ? root
            : term.Nodes[root].Kind == NodeKind.Mul && term.LevelOf(term.LeftChild(root)) == Level.Constant && term.Nodes[root - 1].Kind == NodeKind.Sum ? root - 1
            : term.Nodes[root].Kind == NodeKind.Mul && term.LevelOf(root - 1) == Level.Constant && term.Nodes[term.LeftChild(root)].Kind == NodeKind.Sum ? term.LeftChild(root)
            : -1;
        return sum >= 0 && term.Nodes[sum].Element is var b && b != 0 && b != central;
    }

    // −t for a subtracted addend that is to lead: a product with a constant factor gets that constant negated; else null.
    private static Expression? Negated(Expression term)
    {
        var root = term.Length - 1;
        if (term.Nodes[root].Kind != NodeKind.Mul) return null;
        foreach (var factor in new[] { term.LeftChild(root), root - 1 })
            if (term.Nodes[factor].Kind == NodeKind.Constant)
            {
                var constants = term.Constants.ToArray();
                constants[term.Nodes[factor].ConstantIndex] = -constants[term.Nodes[factor].ConstantIndex];
                return term.WithConstants(constants);
            }
        return null;
    }

    // The subtree of a pair term of F_A over B, rewritten as the term of F_B over A: its one sum runs over A instead.
    private static Expression Mirror(Expression term, byte central)
    {
        var nodes = term.Nodes.ToArray();
        for (var k = 0; k < nodes.Length; k++)
            if (nodes[k].Kind == NodeKind.Sum) nodes[k] = nodes[k] with { Element = central };
        return new Expression(nodes, term.Constants);
    }

    // Pair terms of every element's expression matched with their mirrors; the unmatched with the element that lacks their mirror.
    private static (List<(PairTerm Mine, PairTerm Theirs)> Matched, List<(PairTerm Term, byte Into)> Missing) Matches(Expression model)
    {
        var matched = new List<(PairTerm, PairTerm)>();
        var missing = new List<(PairTerm, byte)>();
        var terms = model.CentralTerms.ToArray();
        if (terms.Length < 2) return (matched, missing);
        var byElement = terms.ToDictionary(t => t.Element, t =>
        {
            var found = new List<PairTerm>();
            Collect(model, t.Node - 1, +1, t.Element, found);
            return found;
        });
        foreach (var (a, _) in terms)
            foreach (var (b, _) in terms)
            {
                // Each unordered pair once, A the element whose term comes first.
                if (Array.FindIndex(terms, t => t.Element == a) >= Array.FindIndex(terms, t => t.Element == b)) continue;
                var mine = byElement[a].Where(t => t.Neighbour == b).ToList();
                var theirs = byElement[b].Where(t => t.Neighbour == a).ToList();
                foreach (var key in mine.Select(t => (t.Shape, t.Sign)).Concat(theirs.Select(t => (t.Shape, t.Sign))).Distinct())
                {
                    var x = mine.Where(t => (t.Shape, t.Sign) == key).ToList();
                    var y = theirs.Where(t => (t.Shape, t.Sign) == key).ToList();
                    for (var k = 0; k < Math.Min(x.Count, y.Count); k++) matched.Add((x[k], y[k]));
                    for (var k = y.Count; k < x.Count; k++) missing.Add((x[k], b));
                    for (var k = x.Count; k < y.Count; k++) missing.Add((y[k], a));
                }
            }
        return (matched, missing);
    }

    // The pair terms of the body rooted at i (an addend chain of + and −), in order, with their signs.
    private static void Collect(Expression e, int i, int sign, byte central, List<PairTerm> into)
    {
        var node = e.Nodes[i];
        if (node.Kind is NodeKind.Add or NodeKind.Sub)
        {
            Collect(e, e.LeftChild(i), sign, central, into);
            Collect(e, i - 1, node.Kind == NodeKind.Sub ? -sign : sign, central, into);
            return;
        }
        var sum = node.Kind == NodeKind.Sum ? i
            : node.Kind == NodeKind.Mul && e.LevelOf(e.LeftChild(i)) == Level.Constant && e.Nodes[i - 1].Kind == NodeKind.Sum ? i - 1
            : node.Kind == NodeKind.Mul && e.LevelOf(i - 1) == Level.Constant && e.Nodes[e.LeftChild(i)].Kind == NodeKind.Sum ? e.LeftChild(i)
            : -1;
        if (sum < 0) return;
        var neighbour = e.Nodes[sum].Element;
        if (neighbour == 0 || neighbour == central) return;
        var start = e.SubtreeStart(i);
        var first = -1;
        var count = 0;
        for (var k = start; k <= i; k++)
            if (e.Nodes[k].Kind == NodeKind.Constant)
            {
                if (first < 0) first = e.Nodes[k].ConstantIndex;
                count++;
            }
        var shape = e.Subtree(i);
        var nodes = shape.Nodes.ToArray();
        for (var k = 0; k < nodes.Length; k++) if (nodes[k].Kind == NodeKind.Sum) nodes[k] = nodes[k] with { Element = 0 };
        into.Add(new PairTerm(i, sign, central, neighbour, ExpressionHash.Structural(new Expression(nodes, shape.Constants)), Math.Max(first, 0), count));
    }
}
