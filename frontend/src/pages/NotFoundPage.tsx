import { Link } from 'react-router-dom';

export function NotFoundPage() {
  return (
    <div className="page">
      <div className="state">
        <h2>No such page</h2>
        <p>
          <Link to="/overview">Go to the overview</Link>
        </p>
      </div>
    </div>
  );
}
