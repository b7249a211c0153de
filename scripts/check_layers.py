#!/usr/bin/python3
"""Checks that the folders under models/ form layers: no folder includes a
header of a folder that (directly or through others) includes it back.

Each folder holds one idea; a lower folder never imports a higher one, so the
include graph between folders must have no cycle. On success it prints the
folders from the bottom layer up; on a cycle it prints the cycle and, for each
edge of it, the files whose includes make it, and exits 1.

usage: check_layers.py [MODELS_DIR]   (default: the project's models/)
"""
import os
import re
import sys
from collections import defaultdict

INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z0-9_]+)/[^"]+"', re.M)


def folder_graph(models):
    """folder -> {included folder -> [files of folder that include it]}"""
    graph = defaultdict(lambda: defaultdict(list))
    for folder in sorted(os.listdir(models)):
        path = os.path.join(models, folder)
        if not os.path.isdir(path):
            continue
        graph[folder]  # a folder that includes nothing still has a layer
        for root, _, files in os.walk(path):
            for name in sorted(files):
                if not name.endswith((".h", ".cpp")):
                    continue
                file = os.path.join(root, name)
                with open(file, encoding="utf-8") as f:
                    for target in INCLUDE.findall(f.read()):
                        if target != folder and os.path.isdir(os.path.join(models, target)):
                            graph[folder][target].append(os.path.relpath(file, models))
    return graph


def find_cycle(graph):
    """A list of folders [a, b, ..., a] forming a cycle, or None."""
    state = {}  # absent: unvisited, 1: on the current path, 2: done
    path = []

    def visit(node):
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def layers(graph):
    """Folders grouped by height: layer 0 includes no other folder."""
    height = {}

    def h(node):
        if node not in height:
            height[node] = 1 + max((h(n) for n in graph[node]), default=-1)
        return height[node]

    by_height = defaultdict(list)
    for node in graph:
        by_height[h(node)].append(node)
    return [sorted(by_height[k]) for k in sorted(by_height)]


def main():
    models = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "models")
    graph = folder_graph(os.path.normpath(models))
    cycle = find_cycle(graph)
    if cycle:
        print("folder include cycle: " + " -> ".join(cycle), file=sys.stderr)
        for a, b in zip(cycle, cycle[1:]):
            print(f"  {a} includes {b} in: {', '.join(sorted(set(graph[a][b])))}", file=sys.stderr)
        return 1
    for i, layer in enumerate(layers(graph)):
        print(f"layer {i}: {' '.join(layer)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
