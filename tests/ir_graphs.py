"""A corpus of IR graphs built through the Builder, shaped like TorchScript's own graphs.

IR and runtime tests import the builders from here (tests/ir/test_ir_graphs.py checks that
they all verify).
"""

from ember.ir import MAX_TRIP, Builder, Graph
from ember.ir import types as T

TENSOR, INT, BOOL, FLOAT = T.TensorType.get(), T.IntType.get(), T.BoolType.get(), T.FloatType.get()
STR = T.StrType.get()


def loops_and_containers():
    """torch.jit.script of:

    def f(x: Tensor, n: int, y: Optional[int] = None) -> Tuple[Tensor, List[int]]:
        acc = x
        l: List[int] = []
        for i in range(n):
            acc = acc + i
            l.append(i)
        while n > 0:
            n -= 1
            if n == 3:
                break
        if y is not None:
            acc = acc * y
        d = {"a": acc}
        return d["a"] + acc * 2.5, l
    """
    b = Builder(Graph("f"))
    x = b.add_input(TENSOR, "x")
    n = b.add_input(INT, "n")
    y = b.add_input(T.OptionalType(INT), "y", default=None)
    lst = b.list_construct([], INT, name="l")
    loop = b.loop(n, True, [x], names=["acc"], iter_name="i")
    with b.at_end(loop.blocks[0]):
        i, acc = loop.blocks[0].args
        acc2 = b.emit("aten::add.Scalar", acc, i, name="acc")
        b.emit("aten::append.t", lst, i)
        b.yield_(True, acc2)
    cond = b.emit("aten::gt.int", n, 0)
    wl = b.loop(MAX_TRIP, cond, [n], names=["n"])
    with b.at_end(wl.blocks[0]):
        _, cur = wl.blocks[0].args
        n9 = b.emit("aten::sub.int", cur, 1, name="n")
        br = b.if_(b.emit("aten::eq.int", n9, 3), [BOOL])
        with b.at_end(br.blocks[0]):
            b.yield_(False)
        with b.at_end(br.blocks[1]):
            b.yield_(b.emit("aten::gt.int", n9, 0))
        b.yield_(br.result, n9)
    opt = b.if_(b.emit("aten::__isnot__", y, None), [TENSOR], names=["acc"])
    with b.at_end(opt.blocks[0]):
        y7 = b.unchecked_cast(y, INT, name="y")
        b.yield_(b.emit("aten::mul.Scalar", loop.results[0], y7, name="acc"))
    with b.at_end(opt.blocks[1]):
        b.yield_(loop.results[0])
    acc = opt.result
    d = b.dict_construct(["a"], [acc], name="d")
    item = b.emit("aten::__getitem__.Dict_str", d, "a")
    total = b.emit("aten::add.Tensor", item, b.emit("aten::mul.Scalar", acc, 2.5))
    b.return_(b.tuple_construct([total, lst]))
    return b.graph


def module_forward():
    """torch.jit.script(MyModule()).forward, with torch.zeros([1]) for the early return."""
    b = Builder(Graph("forward"))
    lin = T.ClassType("__torch__.torch.nn.modules.linear.Linear")
    me = T.ClassType("__torch__.MyModule", {"l0": lin, "l1": lin})
    me.is_module = True
    self_ = b.add_input(me, "self")
    inp = b.add_input(TENSOR, "input")
    big = b.emit("aten::gt.int", b.emit("aten::dim", inp), 1)
    br = b.if_(big, [TENSOR])
    with b.at_end(br.blocks[0]):
        size = b.list_construct([1])
        b.yield_(b.emit("aten::zeros", size))
    with b.at_end(br.blocks[1]):
        l0 = b.get_attr(self_, "l0", lin)
        out0 = b.call_method(l0, "forward", [inp], [TENSOR]).result
        out0.name = "out0"
        relu = b.call_function("__torch__.torch.nn.functional.relu", [out0, False], [TENSOR])
        relu.result.name = "out0_relu"
        l1 = b.get_attr(self_, "l1", lin)
        b.yield_(b.call_method(l1, "forward", [relu.result], [TENSOR]).result)
    b.return_(br.result)
    return b.graph


def early_return():
    """Nested ifs with an early return, lowered TorchScript-style (flags yielded):

    def k(x: Tensor, flag: bool, o: Optional[Tensor]) -> Tensor:
        if flag:
            if o is None:
                return x
            w = o
        else:
            w = x.neg()
        return w + 1
    """
    b = Builder(Graph("k"))
    x = b.add_input(TENSOR, "x")
    flag = b.add_input(BOOL, "flag")
    o = b.add_input(T.OptionalType(TENSOR), "o")
    undef = b.uninitialized(TENSOR)
    outer = b.if_(flag, [BOOL, TENSOR, TENSOR], names=[None, None, "w"])
    with b.at_end(outer.blocks[0]):
        inner = b.if_(b.emit("aten::__is__", o, None), [BOOL, TENSOR, TENSOR])
        inner.results[2].name = "o"
        with b.at_end(inner.blocks[0]):
            b.yield_(True, x, undef)
        with b.at_end(inner.blocks[1]):
            b.yield_(False, undef, b.unchecked_cast(o, TENSOR, name="o"))
        b.yield_(*inner.results)
    with b.at_end(outer.blocks[1]):
        b.yield_(False, undef, b.emit("aten::neg", x, name="w"))
    done, ret, w = outer.results
    final = b.if_(done, [TENSOR])
    with b.at_end(final.blocks[0]):
        b.yield_(ret)
    with b.at_end(final.blocks[1]):
        b.yield_(b.emit("aten::add.Scalar", w, 1))
    b.return_(final.result)
    return b.graph


def raising():
    """def g(n: int) -> int:  assert n > 0, "neg";  if n > 5: raise ValueError("big"); ..."""
    b = Builder(Graph("g"))
    n = b.add_input(INT, "n")
    ok = b.if_(b.emit("aten::gt.int", n, 0))
    with b.at_end(ok.blocks[0]):
        b.yield_()
    with b.at_end(ok.blocks[1]):
        b.raise_("AssertionError: neg")
        b.yield_()
    big = b.if_(b.emit("aten::gt.int", n, 5))
    with b.at_end(big.blocks[0]):
        b.raise_("big", "builtins.ValueError")
        b.yield_()
    with b.at_end(big.blocks[1]):
        b.yield_()
    b.return_(b.emit("aten::mul.int", n, 10))
    return b.graph


def bounded_with_break():
    """for i in range(n): if i == stop: break; total += i   (trip count AND condition)."""
    b = Builder(Graph("h"))
    n = b.add_input(INT, "n")
    stop = b.add_input(INT, "stop")
    first = b.emit("aten::gt.int", n, 0)
    loop = b.loop(n, first, [0], names=["total"], iter_name="i")
    with b.at_end(loop.blocks[0]):
        i, total = loop.blocks[0].args
        hit = b.emit("aten::eq.int", i, stop)
        br = b.if_(hit, [BOOL, INT])
        with b.at_end(br.blocks[0]):
            b.yield_(False, total)
        with b.at_end(br.blocks[1]):
            b.yield_(True, b.emit("aten::add.int", total, i, name="total"))
        go, t2 = br.results
        nxt = b.emit("aten::add.int", i, 1)
        more = b.emit("aten::__and__.bool", b.emit("aten::lt.int", nxt, n), go)
        b.yield_(more, t2)
    b.return_(loop.results[0])
    return b.graph


def tuples_and_strings():
    """Tuple unpack/index, list unpack, len, format, print, min, str and int casts."""
    b = Builder(Graph("t"))
    x = b.add_input(TENSOR, "x")
    pair = b.add_input(T.TupleType([INT, STR]), "pair")
    k, s = b.tuple_unpack(pair, names=["k", "s"])
    first = b.emit("prim::TupleIndex", pair, 0)
    a, c = b.list_unpack(b.list_construct([k, first]), 2, names=["a", "c"])
    m = b.emit("prim::min.int", a, b.emit("aten::len.t", b.list_construct([x, x])))
    text = b.op("aten::format", ["{} and {}", s, m], [STR]).result
    b.op("prim::Print", [text, c], [])
    n = b.emit("aten::add.int", b.emit("aten::Int.Tensor", b.emit("aten::sum", x)), m)
    b.return_(b.tuple_construct([n, b.emit("aten::str", text)]))
    return b.graph


CORPUS = {
    "loops_and_containers": loops_and_containers,
    "module_forward": module_forward,
    "early_return": early_return,
    "raising": raising,
    "bounded_with_break": bounded_with_break,
    "tuples_and_strings": tuples_and_strings,
}
