// The type mapping of ork's typescript language plugin, used by
// ork_ts_compile.js: reads the exported functions of a task file and maps
// their parameter and return type annotations to ork's type language
// (docs/languages/typescript.md has the table). It works on the type *syntax*,
// resolving names through the type checker, because the checker forgets what
// the author wrote (an `int` alias is just `number` to it). Unsupported or
// missing annotations are refused with "FILE:LINE:COL: " messages, worded as
// the python executor words them.
'use strict';

const ts = require('typescript');

const SUPPORTED =
  'use string, number, int (an alias `type int = number`), boolean, null, Date, T[], Record<string, T>, ' +
  'a union, an interface or an object type alias';

function describeExports(checker, source, display) {
  const functions = {};
  const local = [];
  for (const statement of source.statements) {
    if (!ts.isFunctionDeclaration(statement) || !statement.name || !statement.body) continue;
    const name = statement.name.text;
    const exported = (ts.getCombinedModifierFlags(statement) & ts.ModifierFlags.Export) !== 0;
    if (!exported) {
      local.push(name);
      continue;
    }
    if (functions[name]) continue; // overloads: the implementation is described once
    functions[name] = describeFunction(checker, statement, name, display);
  }
  return { functions, local };
}

function describeFunction(checker, fn, name, display) {
  const errors = [];
  const at = (node) => location(node, display);
  const inputs = {};
  const parameters = [];
  const optional = [];
  const defaults = [];
  const dates = {};
  if (fn.typeParameters && fn.typeParameters.length > 0) {
    errors.push(`${at(fn.typeParameters[0])}: function '${name}' is generic; ork needs concrete parameter types`);
  }
  for (const p of fn.parameters) {
    if (!ts.isIdentifier(p.name)) {
      errors.push(`${at(p)}: function '${name}' has a destructured parameter; ork binds inputs by name, so give it a name and a type`);
      continue;
    }
    const pname = p.name.text;
    if (p.dotDotDotToken) {
      errors.push(`${at(p)}: function '${name}' takes ...${pname}; ork needs every input as a named, typed parameter`);
      continue;
    }
    if (!p.type) {
      errors.push(`${at(p)}: function '${name}' parameter '${pname}' has no type annotation`);
      continue;
    }
    try {
      const mapped = new TypeMapper(checker, display).map(p.type);
      const isOptional = !!p.questionToken;
      inputs[pname] = isOptional ? optionalOf(mapped.type) : mapped.type;
      if (mapped.dates) dates[pname] = mapped.dates;
      if (isOptional) optional.push(pname);
      if (isOptional || p.initializer) defaults.push(pname);
    } catch (error) {
      if (!(error instanceof Unsupported)) throw error;
      errors.push(`${error.where || at(p.type)}: function '${name}' parameter '${pname}': ${error.message}`);
    }
    parameters.push(pname);
  }
  let output = 'Any';
  if (!fn.type) {
    errors.push(
      `${at(fn.name)}: function '${name}' has no return type annotation: add one, e.g. '): Cleaned' ` +
        `(an interface of the fields it returns) or '): void' if it returns nothing`,
    );
  } else {
    try {
      output = new TypeMapper(checker, display).mapReturn(fn.type).type;
    } catch (error) {
      if (!(error instanceof Unsupported)) throw error;
      errors.push(`${error.where || at(fn.type)}: function '${name}' return type: ${error.message}`);
    }
  }
  if (errors.length > 0) return { errors };
  const signature = { inputs, output };
  if (defaults.length > 0) signature.defaults = defaults;
  return { signature, parameters, optional, dates, output_int: output === 'int' || output === 'int | None' };
}

function location(node, display) {
  const sf = node.getSourceFile();
  const { line, character } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
  return `${display(sf.fileName)}:${line + 1}:${character + 1}`;
}

function optionalOf(type) {
  const text = typeof type === 'string' ? type : render(type);
  return text === 'null' || text.endsWith('| None') ? text : `${text} | None`;
}

class Unsupported extends Error {
  constructor(message, where) {
    super(message);
    this.where = where;
  }
}

// Maps type nodes (syntax, resolved through the checker) to ork types: the
// syntax keeps what the checker forgets, e.g. that `int` was written rather
// than `number`. Each result is {type, dates}: `dates` tells the runtime
// where Date values are ("date", {list}, {dict}, {fields}, or null).
class TypeMapper {
  constructor(checker, display) {
    this.checker = checker;
    this.display = display;
    this.expanding = [];
  }

  mapReturn(node) {
    if (node.kind === ts.SyntaxKind.VoidKeyword || node.kind === ts.SyntaxKind.UndefinedKeyword) return { type: 'null', dates: null };
    if (ts.isTypeReferenceNode(node) && entityName(node.typeName) === 'Promise' && node.typeArguments && node.typeArguments.length === 1) {
      return this.mapReturn(node.typeArguments[0]);
    }
    return this.map(node);
  }

  map(node) {
    const K = ts.SyntaxKind;
    switch (node.kind) {
      case K.StringKeyword: return { type: 'str', dates: null };
      case K.NumberKeyword: return { type: 'float', dates: null };
      case K.BooleanKeyword: return { type: 'bool', dates: null };
      case K.NullKeyword: case K.UndefinedKeyword: case K.VoidKeyword: return { type: 'null', dates: null };
      case K.AnyKeyword: throw this.refuse(node, "type 'any' is not supported (it would turn off the edge checks); " + SUPPORTED);
      case K.UnknownKeyword: throw this.refuse(node, "type 'unknown' is not supported; " + SUPPORTED);
      case K.ParenthesizedType: return this.map(node.type);
      case K.ArrayType: return this.list(node.elementType);
      case K.UnionType: return this.union(node.types);
      case K.LiteralType: return this.literal(node);
      case K.TypeLiteral: return this.objectLiteral(node);
      case K.TypeReference: return this.reference(node);
      case K.TypeOperator:
        if (node.operator === K.ReadonlyKeyword) return this.map(node.type);
        break;
      case K.TupleType: return this.tuple(node);
      default: break;
    }
    throw this.refuse(node, `type '${node.getText()}' is not supported; ${SUPPORTED}`);
  }

  refuse(node, message) {
    return new Unsupported(message, location(node, this.display));
  }

  list(element) {
    const inner = this.map(element);
    return { type: `list[${render(inner.type)}]`, dates: inner.dates ? { list: inner.dates } : null };
  }

  tuple(node) {
    const parts = node.elements.map((e) => {
      if (ts.isNamedTupleMember(e)) return this.map(e.type);
      if (e.kind === ts.SyntaxKind.OptionalType || e.kind === ts.SyntaxKind.RestType) {
        throw this.refuse(e, `tuple element '${e.getText()}' is not supported; write fixed tuples [A, B] or arrays T[]`);
      }
      return this.map(e);
    });
    if (parts.length === 0) return { type: 'tuple[()]', dates: null };
    const dates = parts.some((p) => p.dates) ? { tuple: parts.map((p) => p.dates) } : null;
    return { type: `tuple[${parts.map((p) => render(p.type)).join(', ')}]`, dates };
  }

  union(types) {
    const members = [];
    let nullable = false;
    let dates = null;
    for (const t of types) {
      const mapped = this.map(t);
      const text = render(mapped.type);
      if (text === 'null') { nullable = true; continue; }
      if (mapped.dates) dates = dates ? 'mixed' : mapped.dates;
      if (!members.includes(text)) members.push(text);
    }
    if (dates === 'mixed') throw this.refuse(types[0].parent, 'a union of several types holding dates is not supported; use one object type');
    if (members.length === 0) return { type: 'null', dates: null };
    if (nullable) members.push('None');
    if (members.length === 1) {
      const only = types.map((t) => this.map(t)).find((m) => render(m.type) !== 'null');
      return only;
    }
    return { type: members.join(' | '), dates };
  }

  literal(node) {
    const K = ts.SyntaxKind;
    const l = node.literal;
    if (l.kind === K.NullKeyword) return { type: 'null', dates: null };
    if (l.kind === K.StringLiteral || l.kind === K.NoSubstitutionTemplateLiteral) return { type: 'str', dates: null };
    if (l.kind === K.NumericLiteral || l.kind === K.PrefixUnaryExpression) return { type: 'float', dates: null };
    if (l.kind === K.TrueKeyword || l.kind === K.FalseKeyword) return { type: 'bool', dates: null };
    throw this.refuse(node, `literal type '${node.getText()}' is not supported; ${SUPPORTED}`);
  }

  reference(node) {
    const name = entityName(node.typeName);
    const args = node.typeArguments || [];
    const symbol = this.resolve(node.typeName);
    const declaration = symbol && symbol.declarations && symbol.declarations[0];
    const isLib = declaration && isLibraryFile(declaration.getSourceFile());
    if (declaration && ts.isTypeAliasDeclaration(declaration) && !isLib) {
      if (declaration.name.text === 'int' && declaration.type.kind === ts.SyntaxKind.NumberKeyword) return { type: 'int', dates: null };
      if (declaration.typeParameters) throw this.refuse(node, `generic type alias '${name}' is not supported; ${SUPPORTED}`);
      if (ts.isTypeLiteralNode(declaration.type)) return this.named(declaration.name.text, declaration, () => this.members(declaration.type, declaration.name.text));
      return this.map(declaration.type);
    }
    if (declaration && ts.isInterfaceDeclaration(declaration) && !isLib) {
      if (declaration.typeParameters) throw this.refuse(node, `generic interface '${name}' is not supported; ${SUPPORTED}`);
      return this.named(declaration.name.text, declaration, () => this.interfaceMembers(symbol, declaration.name.text, node));
    }
    if (declaration && ts.isEnumDeclaration(declaration)) {
      throw this.refuse(node, `enum '${name}' is not supported; use a union of string literals ('a' | 'b')`);
    }
    if (declaration && ts.isClassDeclaration(declaration) && !isLib) {
      throw this.refuse(node, `class '${name}' is not supported (ork passes plain JSON objects, not instances); use an interface`);
    }
    if ((name === 'Array' || name === 'ReadonlyArray') && args.length === 1) return this.list(args[0]);
    if (name === 'Record' && args.length === 2) {
      if (args[0].kind !== ts.SyntaxKind.StringKeyword) throw this.refuse(args[0], `Record keys must be string (JSON object keys are strings), not '${args[0].getText()}'`);
      const inner = this.map(args[1]);
      return { type: `dict[str, ${render(inner.type)}]`, dates: inner.dates ? { dict: inner.dates } : null };
    }
    if (name === 'Date' && args.length === 0) return { type: 'datetime', dates: 'date' };
    throw this.refuse(node, `type '${node.getText()}' is not supported; ${SUPPORTED}`);
  }

  resolve(typeName) {
    let symbol = this.checker.getSymbolAtLocation(typeName);
    if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = this.checker.getAliasedSymbol(symbol);
    return symbol;
  }

  named(name, declaration, fields) {
    if (this.expanding.includes(declaration)) {
      throw new Unsupported(`type '${name}' refers to itself; ork's type language has no recursive types`, location(declaration.name, this.display));
    }
    this.expanding.push(declaration);
    try {
      const { described, dates, dictionary } = fields();
      if (dictionary) return { type: described, dates: null };
      return { type: { $name: name, fields: described }, dates: dates ? { fields: dates } : null };
    } finally {
      this.expanding.pop();
    }
  }

  objectLiteral(node) {
    const { described, dates, dictionary } = this.members(node, 'object type');
    if (dictionary) return { type: described, dates: null };
    return { type: described, dates: dates ? { fields: dates } : null };
  }

  // Fields of a type literal: property signatures, or one string index signature (a dict).
  members(literal, owner) {
    const index = literal.members.find(ts.isIndexSignatureDeclaration);
    if (index) {
      if (literal.members.length > 1) throw this.refuse(index, `'${owner}' mixes an index signature with fields; use Record<string, T> or fields`);
      const key = index.parameters[0];
      if (!key.type || key.type.kind !== ts.SyntaxKind.StringKeyword) throw this.refuse(index, 'index signature keys must be string');
      const inner = this.map(index.type);
      return { dictionary: true, described: `dict[str, ${render(inner.type)}]`, dates: null };
    }
    return this.fields(literal.members.map((m) => ({ declaration: m, optional: !!m.questionToken })), owner);
  }

  interfaceMembers(symbol, owner, node) {
    const type = this.checker.getDeclaredTypeOfSymbol(symbol);
    if (this.checker.getIndexInfosOfType(type).length > 0) throw this.refuse(node, `interface '${owner}' has an index signature; use Record<string, T>`);
    const props = this.checker.getPropertiesOfType(type).map((p) => ({
      declaration: p.valueDeclaration || (p.declarations && p.declarations[0]),
      optional: (p.flags & ts.SymbolFlags.Optional) !== 0,
    }));
    return this.fields(props, owner);
  }

  fields(props, owner) {
    const described = {};
    let dates = null;
    for (const { declaration, optional } of props) {
      if (!declaration || !ts.isPropertySignature(declaration) || !declaration.name) {
        throw new Unsupported(`'${owner}' has a member that is not a plain field (methods are not data)`, declaration ? location(declaration, this.display) : undefined);
      }
      const fname = declaration.name.getText().replace(/^["']|["']$/g, '');
      if (!declaration.type) {
        throw new Unsupported(`field '${fname}' of '${owner}' has no type annotation`, location(declaration, this.display));
      }
      let mapped;
      try {
        mapped = this.map(declaration.type);
      } catch (error) {
        if (error instanceof Unsupported) error.message = `field '${fname}' of '${owner}': ${error.message}`;
        throw error;
      }
      described[optional ? `${fname}?` : fname] = mapped.type;
      if (mapped.dates) (dates = dates || {})[fname] = mapped.dates;
    }
    return { described, dates };
  }
}

function entityName(name) {
  return ts.isIdentifier(name) ? name.text : `${entityName(name.left)}.${name.right.text}`;
}

function isLibraryFile(sf) {
  return sf.hasNoDefaultLib || /[\\/]node_modules[\\/]/.test(sf.fileName) || /lib\.[^/\\]*\.d\.ts$/.test(sf.fileName);
}

// An ork type as a string, object types written structurally.
function render(type) {
  if (typeof type === 'string') return type;
  const fields = type.$name ? type.fields : type;
  if (typeof fields === 'string') return fields;
  const parts = Object.entries(fields).map(([k, v]) => `${fieldName(k)}: ${render(v)}`);
  return `{${parts.join(', ')}}`;
}

function fieldName(key) {
  const optional = key.endsWith('?');
  const bare = optional ? key.slice(0, -1) : key;
  const text = /^[A-Za-z_][A-Za-z0-9_]*$/.test(bare) ? bare : JSON.stringify(bare);
  return optional ? `${text}?` : text;
}

module.exports = { describeExports };
